//! Named per-step scalars. Each rule declares its layout once, by name, with `scalars!`: the
//! struct its kernel reads, the names in order (`NAMES`, which the binding exports and a
//! TypeScript test compares with the rule's `scalars` list, camelCased) and the count its
//! `check` expects. No kernel reads a scalar by position.

/// Declares `pub struct Scalars` with one `f64` per name, in layout order.
macro_rules! scalars {
    ($($field:ident),* $(,)?) => {
        /// This rule's per-step scalars, in the order its TypeScript `plan` lays them out.
        #[derive(Clone, Copy, Debug)]
        pub struct Scalars {
            $(pub $field: f64,)*
        }

        impl Scalars {
            /// The names, in layout order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];
            /// How many scalars one step plans for one parameter.
            pub const COUNT: usize = Self::NAMES.len();

            /// Reads a slot's scalars (their count is checked before any kernel runs).
            #[inline(always)]
            pub fn read(s: &[f64]) -> Self {
                let mut values = s.iter().copied();
                Scalars { $($field: values.next().unwrap_or(f64::NAN),)* }
            }
        }
    };
}

pub(crate) use scalars;

/// A 0/1 scalar as a flag.
#[inline(always)]
pub fn flag(x: f64) -> bool {
    x != 0.0
}
