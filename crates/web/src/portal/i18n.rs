//! The portal's words, from Fluent files (`crates/web/locales/{nl,en}/*.ftl`) embedded in the
//! binary. Dutch is the default; English is complete (a test holds both to the same messages).

use crate::lang::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;

/// One file per subject and language, the same subjects in both languages.
macro_rules! locale_files {
    ($language:literal) => {
        [
            include_str!(concat!("../../locales/", $language, "/portal.ftl")),
            include_str!(concat!("../../locales/", $language, "/grant.ftl")),
            include_str!(concat!("../../locales/", $language, "/steering.ftl")),
            include_str!(concat!("../../locales/", $language, "/toolkit.ftl")),
            include_str!(concat!("../../locales/", $language, "/figures.ftl")),
            include_str!(concat!("../../locales/", $language, "/awareness.ftl")),
            include_str!(concat!("../../locales/", $language, "/baseline.ftl")),
        ]
    };
}

const NL: [&str; 7] = locale_files!("nl");
const EN: [&str; 7] = locale_files!("en");

fn bundle(language: &str, sources: &[&'static str]) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = language.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would show up inside HTML attributes and form values.
    bundle.set_use_isolating(false);
    for source in sources {
        // The files ship with the binary and a test parses them, so a syntax error never gets here.
        let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(resource, _)| resource);
        let _ = bundle.add_resource(resource);
    }
    bundle
}

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> = LazyLock::new(|| [bundle("nl-BE", &NL), bundle("en-GB", &EN)]);

/// The message `key` in `lang` with its arguments; the key itself if it is missing (a test
/// makes sure none is).
pub fn text(lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let bundle = &BUNDLES[if lang.is_dutch() { 0 } else { 1 }];
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
}

/// The message `key` in `lang` with its arguments, or why it cannot be given: the message is
/// missing, or it uses an argument that was not passed.
pub fn text_checked(lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> Result<String, String> {
    let bundle = &BUNDLES[if lang.is_dutch() { 0 } else { 1 }];
    let pattern = bundle
        .get_message(key)
        .and_then(|m| m.value())
        .ok_or_else(|| format!("no message {key} in {lang:?}"))?;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned();
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(format!("{key} in {lang:?}: {errors:?}"))
    }
}

/// Every message id of a Fluent source.
pub fn ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|line| line.split_once('=').map(|(id, _)| id.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_and_english_have_the_same_messages_and_parse() {
        for source in NL.iter().chain(&EN) {
            assert!(
                FluentResource::try_new((*source).to_owned()).is_ok(),
                "a Fluent file does not parse"
            );
        }
        let all_ids = |sources: &[&str]| sources.iter().flat_map(|source| ids(source)).collect::<Vec<_>>();
        let (mut nl, mut en) = (all_ids(&NL), all_ids(&EN));
        nl.sort();
        en.sort();
        let only_nl: Vec<_> = nl.iter().filter(|id| !en.contains(id)).collect();
        let only_en: Vec<_> = en.iter().filter(|id| !nl.contains(id)).collect();
        assert!(
            only_nl.is_empty() && only_en.is_empty(),
            "only in nl: {only_nl:?}; only in en: {only_en:?}"
        );
        let mut unique = nl.clone();
        unique.dedup();
        assert_eq!(unique.len(), nl.len(), "a message id is defined twice");
    }

    #[test]
    fn arguments_are_filled_in() {
        assert_eq!(text(Lang::Nl, "no-such-message", &[]), "no-such-message");
        let greeting = text(Lang::En, "signed-in-as", &[("name", "Gent".into())]);
        assert!(greeting.contains("Gent"), "{greeting}");
    }
}
