//! The rules of the cyberveilige lokale besturen programme (docs/RULES.md), as pure
//! functions over plain values. No I/O, no async, no database types: every rule lives here once.

/// A closed set of values with their stable text (stored, and in the API), parsed back from it.
macro_rules! closed_set {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::registry::UnknownValue;
            fn from_str(text: &str) -> Result<Self, $crate::registry::UnknownValue> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text).ok_or($crate::registry::UnknownValue)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod assessment;
pub mod asset;
pub mod attachment;
pub mod awareness;
pub mod baseline;
pub mod calendar;
pub mod cascade;
pub mod credit;
pub mod disclosure;
pub mod document;
pub mod engagement;
pub mod figures;
pub mod grant;
pub mod ledger;
pub mod money;
pub mod order;
pub mod programme;
pub mod refusal;
pub mod registry;
pub mod remediation;
pub mod report;
pub mod severity;
pub mod source;
pub mod ssvc;
pub mod steering;
pub mod text;
pub mod throttle;
pub mod toolkit;

pub use money::{Money, Rate};
pub use refusal::Refusal;
