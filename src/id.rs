//! Record identifiers and names.

use std::fmt;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        ///
        /// Any non-empty text; compared byte by byte, case-sensitively.
        /// Texts of up to 24 bytes are stored inline, without an allocation.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(CompactString);

        impl $name {
            /// Wraps `text` as an id.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::Empty`] when `text` is empty (the documented "absent").
            pub fn new(text: impl AsRef<str>) -> Result<Self, Error> {
                let text = text.as_ref();
                if text.is_empty() {
                    return ErrorKind::Empty($what.to_owned()).err();
                }
                Ok($name(CompactString::new(text)))
            }

            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(text: String) -> Result<Self, Error> {
                $name::new(text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.into_string()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// The unique id of a survey response (`id` of definitions, "Records").
    ResponseId,
    "response id"
);
id_type!(
    /// The id of a ticket (`ticket` of definitions, "Records").
    TicketId,
    "ticket id"
);
id_type!(
    /// The unique id of a ticket event (`id` of definitions, "Records").
    EventId,
    "event id"
);
id_type!(
    /// The unique id of an outcome (`id` of definitions, "Outcomes").
    OutcomeId,
    "outcome id"
);
id_type!(
    /// A dimension value: an agent, a channel, a team or a topic.
    Name,
    "name"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_ids_are_errors() {
        assert_eq!(
            ResponseId::new("").unwrap_err().to_string(),
            "response id is empty"
        );
        assert_eq!(TicketId::new("t-1").unwrap().as_str(), "t-1");
        let json = serde_json::to_string(&EventId::new("e 7").unwrap()).unwrap();
        assert_eq!(json, "\"e 7\"");
        assert!(serde_json::from_str::<EventId>("\"\"").is_err());
    }
}
