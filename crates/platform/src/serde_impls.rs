//! Serde support: Python versions and platforms travel as their canonical
//! strings (`"3.12"`, `"x86_64-manylinux_2_28"`), exactly what `FromStr` reads.

use std::fmt::Display;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::platform::Platform;
use crate::python_version::PythonVersion;

fn serialize_display<T: Display, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

fn deserialize_from_str<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: FromStr,
    T::Err: Display,
    D: Deserializer<'de>,
{
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}

impl Serialize for PythonVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_display(self, serializer)
    }
}

impl<'de> Deserialize<'de> for PythonVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PythonVersion, D::Error> {
        deserialize_from_str(deserializer)
    }
}

impl Serialize for Platform {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_display(self, serializer)
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Platform, D::Error> {
        deserialize_from_str(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip() {
        let python: PythonVersion = serde_json::from_str("\"3.11.4\"").unwrap();
        assert_eq!(serde_json::to_string(&python).unwrap(), "\"3.11.4\"");
        let platform: Platform = serde_json::from_str("\"linux\"").unwrap();
        assert_eq!(
            serde_json::to_string(&platform).unwrap(),
            "\"x86_64-manylinux_2_28\""
        );
        let error = serde_json::from_str::<Platform>("\"beos\"").unwrap_err();
        assert!(error.to_string().contains("`beos`"), "{error}");
    }
}
