fn main() {
    napi_build::setup();
    // The triple this binary is compiled for (cargo sets TARGET for build scripts only), so
    // `nativeInfo().target` names the real target, e.g. x86_64-unknown-linux-gnu.
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=DESCENT_TARGET={target}");
}
