//! The dimensions a record can be grouped by, and their values.

use std::fmt;
use std::str::FromStr;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// A dimension a report can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// The agent: the response's, or the ticket's last assigned agent,
    /// else its first replier.
    Agent,
    /// The channel.
    Channel,
    /// The team.
    Team,
    /// The topic (the kind of request).
    Topic,
}

impl Dimension {
    /// The documented name.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Agent => "agent",
            Dimension::Channel => "channel",
            Dimension::Team => "team",
            Dimension::Topic => "topic",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dimension {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        match text {
            "agent" => Ok(Dimension::Agent),
            "channel" => Ok(Dimension::Channel),
            "team" => Ok(Dimension::Team),
            "topic" => Ok(Dimension::Topic),
            _ => ErrorKind::UnknownDimension(text.to_owned()).err(),
        }
    }
}

/// Agent, channel, team and topic of a record, each optional.
///
/// An empty text is the documented "absent" and is stored as `None`, so a
/// present value is never empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DimensionsRepr")]
pub struct Dimensions {
    agent: Option<CompactString>,
    channel: Option<CompactString>,
    team: Option<CompactString>,
    topic: Option<CompactString>,
}

#[derive(Deserialize)]
struct DimensionsRepr {
    agent: Option<CompactString>,
    channel: Option<CompactString>,
    team: Option<CompactString>,
    topic: Option<CompactString>,
}

impl From<DimensionsRepr> for Dimensions {
    fn from(repr: DimensionsRepr) -> Self {
        Dimensions {
            agent: present(repr.agent),
            channel: present(repr.channel),
            team: present(repr.team),
            topic: present(repr.topic),
        }
    }
}

fn present(value: Option<CompactString>) -> Option<CompactString> {
    value.filter(|text| !text.is_empty())
}

macro_rules! dimension {
    ($field:ident, $set:ident, $what:literal) => {
        #[doc = concat!("The ", $what, ", if present.")]
        pub fn $field(&self) -> Option<&str> {
            self.$field.as_deref()
        }

        #[doc = concat!("Sets the ", $what, "; an empty text means absent.")]
        pub fn $set(&mut self, value: impl AsRef<str>) {
            self.$field = present(Some(CompactString::new(value.as_ref())));
        }
    };
}

impl Dimensions {
    dimension!(agent, set_agent, "agent");
    dimension!(channel, set_channel, "channel");
    dimension!(team, set_team, "team");
    dimension!(topic, set_topic, "topic (the kind of request)");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_means_absent() {
        let mut dims = Dimensions::default();
        dims.set_agent("");
        dims.set_team("t1");
        assert_eq!((dims.agent(), dims.team()), (None, Some("t1")));
        let parsed: Dimensions =
            serde_json::from_str(r#"{"agent":"","channel":"chat","team":null,"topic":null}"#)
                .unwrap();
        assert_eq!((parsed.agent(), parsed.channel()), (None, Some("chat")));
    }
}
