//! descent's one seeded PRNG, implemented identically in `src/random.ts`: xoshiro128**
//! (Blackman & Vigna) seeded through splitmix32. Only 32-bit integer operations, so the
//! JavaScript mirror (Math.imul, >>> 0) produces the same stream bit for bit; the same seed
//! gives the same data, initial weights and shuffles on every backend.

/// A xoshiro128** generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    s: [u32; 4],
}

fn splitmix32(state: &mut u32) -> u32 {
    *state = state.wrapping_add(0x9e37_79b9);
    let mut z = *state;
    z = (z ^ (z >> 16)).wrapping_mul(0x85eb_ca6b);
    z = (z ^ (z >> 13)).wrapping_mul(0xc2b2_ae35);
    z ^ (z >> 16)
}

impl Rng {
    /// A generator for `seed` (any u32).
    pub fn new(seed: u32) -> Self {
        let mut state = seed;
        let s = [splitmix32(&mut state), splitmix32(&mut state), splitmix32(&mut state), splitmix32(&mut state)];
        Rng { s }
    }

    /// The raw state, for checkpoints.
    pub fn state(&self) -> [u32; 4] {
        self.s
    }

    /// Restores a state from `state()`.
    pub fn from_state(s: [u32; 4]) -> Self {
        Rng { s }
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result
    }

    /// Uniform in [0, 1) with 53 random bits (two draws).
    pub fn uniform_f64(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// Uniform in [0, 1) with 24 random bits (one draw).
    pub fn uniform_f32(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 / 16_777_216.0
    }

    /// Uniform integer in [0, n), without modulo bias (rejection); `n` ≥ 1.
    pub fn below(&mut self, n: u32) -> u32 {
        assert!(n >= 1, "below(0)");
        let limit = u32::MAX - (((u32::MAX % n) + 1) % n);
        loop {
            let x = self.next_u32();
            if x <= limit {
                return x % n;
            }
        }
    }

    /// A uniformly random permutation of 0..n (Fisher–Yates, from the back).
    pub fn permutation(&mut self, n: usize) -> Vec<u32> {
        let mut order: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            let j = self.below(i as u32 + 1) as usize;
            order.swap(i, j);
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_is_reproducible_and_seed_dependent() {
        let a: Vec<u32> = {
            let mut r = Rng::new(42);
            (0..8).map(|_| r.next_u32()).collect()
        };
        let b: Vec<u32> = {
            let mut r = Rng::new(42);
            (0..8).map(|_| r.next_u32()).collect()
        };
        let c: Vec<u32> = {
            let mut r = Rng::new(43);
            (0..8).map(|_| r.next_u32()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn uniform_values_are_in_range_and_below_is_unbiased_enough() {
        let mut r = Rng::new(7);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            let u = r.uniform_f64();
            assert!((0.0..1.0).contains(&u));
            assert!((0.0..1.0).contains(&r.uniform_f32()));
            counts[r.below(3) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
    }

    #[test]
    fn permutation_holds_every_index_once() {
        let mut p = Rng::new(1).permutation(1000);
        p.sort_unstable();
        assert_eq!(p, (0..1000).collect::<Vec<u32>>());
    }
}
