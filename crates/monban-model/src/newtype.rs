//! A macro for the string newtypes of this crate: each wraps a `String` that passed its
//! `parse` function, and offers `as_str`, `Display`, `FromStr`, `AsRef<str>` and ordering.

/// Declares `pub struct $name(String)` with the usual accessors; the type must provide
/// `fn validate(value: &str) -> Result<(), ConstraintError>`.
macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Validates `value` and wraps it.
            pub fn parse(value: &str) -> Result<Self, $crate::ConstraintError> {
                Self::validate(value)?;
                Ok(Self(value.to_owned()))
            }

            /// The value as written.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ConstraintError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::parse(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

pub(crate) use string_newtype;
