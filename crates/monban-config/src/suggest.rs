//! "Did you mean …?": the closest known name to a misspelt one.

/// The candidate closest to `input`, if any is close enough to be a plausible typo:
/// a case-insensitive match, or a Jaro–Winkler similarity of at least 0.8.
pub(crate) fn did_you_mean<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let lowered = input.to_lowercase();
    let mut best: Option<(f64, &'c str)> = None;
    for candidate in candidates {
        if candidate == input {
            continue;
        }
        let score = if candidate.to_lowercase() == lowered {
            2.0
        } else {
            strsim::jaro_winkler(&lowered, &candidate.to_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names() {
        let known = ["session_duration", "description", "relay_state"];
        assert_eq!(
            did_you_mean("session_duraton", known),
            Some("session_duration")
        );
        assert_eq!(did_you_mean("descripton", known), Some("description"));
        assert_eq!(did_you_mean("zzz", known), None);
        assert_eq!(
            did_you_mean("readonly", ["ReadOnly", "PowerUser"]),
            Some("ReadOnly")
        );
    }
}
