//! Fault injection rules: what goes wrong, for which paths, how many times.

use std::time::Duration;

/// One misbehaviour of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status (e.g. 500, 503) and an empty body.
    Status(u16),
    /// Sleep this long before answering (longer than the client's timeout to simulate a stall).
    Stall(Duration),
    /// Announce the full `Content-Length`, send half the body, then drop the connection.
    TruncatedBody,
    /// Send the body with one byte flipped (same length, wrong hash).
    CorruptBytes,
    /// Answer a project page with invalid JSON (served as PEP 691 JSON).
    MalformedJson,
    /// Ignore the `Range` header and send the whole file with `200 OK`.
    IgnoreRange,
    /// Answer `404 Not Found` (e.g. for `.metadata` files).
    NotFound,
    /// Answer `302 Found` pointing at this base URL plus the request path (another host).
    RedirectTo(String),
}

/// Applies `kind` to requests whose path contains `path_contains`, `times` times (then behaves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// Substring of the request path that triggers the rule.
    pub path_contains: String,
    /// What goes wrong.
    pub kind: FaultKind,
    /// How many matching requests it affects (`usize::MAX` for always).
    pub times: usize,
}

impl FaultRule {
    /// A rule for `times` requests whose path contains `path_contains`.
    pub fn new(path_contains: impl Into<String>, kind: FaultKind, times: usize) -> FaultRule {
        FaultRule {
            path_contains: path_contains.into(),
            kind,
            times,
        }
    }
}

/// Faults at random: each request (not matched by a rule) goes wrong with probability
/// `per_mille / 1000`, the kind drawn from `kinds`; the draws follow `seed` in request order.
/// Flipped bytes ([`FaultKind::CorruptBytes`]) hit files only, never pages: pages carry no
/// checksum, so a flip there would model a lying index, not a faulty network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomFaults {
    /// Chance of a fault per request, in thousandths.
    pub per_mille: u32,
    /// Seed of the draws.
    pub seed: u64,
    /// The faults drawn from (uniformly).
    pub kinds: Vec<FaultKind>,
}

/// The seeded draws of [`RandomFaults`] (SplitMix64: tiny, and enough for a test harness).
#[derive(Debug)]
pub(crate) struct Draws {
    state: u64,
}

impl Draws {
    pub(crate) fn new(seed: u64) -> Draws {
        Draws { state: seed }
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// The fault for the next request, if it draws one.
    pub(crate) fn draw(&mut self, faults: &RandomFaults) -> Option<FaultKind> {
        let roll = self.next() % 1000;
        let pick = self.next();
        if roll >= u64::from(faults.per_mille) || faults.kinds.is_empty() {
            return None;
        }
        let index = usize::try_from(pick % faults.kinds.len() as u64).unwrap_or(0);
        faults.kinds.get(index).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_the_seed_and_the_rate() {
        let faults = RandomFaults {
            per_mille: 250,
            seed: 7,
            kinds: vec![FaultKind::Status(503), FaultKind::TruncatedBody],
        };
        let run = |seed| {
            let mut draws = Draws::new(seed);
            (0..1000).map(|_| draws.draw(&faults)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|fault| fault.is_some()).count();
        assert!((200..300).contains(&hits), "{hits}");
    }
}
