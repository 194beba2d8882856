//! PEP 503 HTML pages (project pages and find-links pages), parsed with `tl`.

use url::Url;

use crate::dist_file::{CoreMetadataHint, Hashes};
use crate::page::RawFile;

/// The anchors of an HTML page.
pub(crate) struct HtmlPage {
    /// One entry per `<a href>`.
    pub files: Vec<RawFile>,
}

/// Decodes the HTML character references found in attribute values.
pub(crate) fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let decoded = rest.find(';').filter(|end| *end <= 10).and_then(|end| {
            let entity = &rest[1..end];
            let character = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            character.map(|character| (character, end))
        });
        match decoded {
            Some((character, end)) => {
                out.push(character);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn attribute(tag: &tl::HTMLTag<'_>, name: &str) -> Option<Option<String>> {
    tag.attributes()
        .get(name)
        .map(|value| value.map(|bytes| unescape(&bytes.as_utf8_str())))
}

/// The URL relative links resolve against: `<base href>` when present, else the page URL.
pub(crate) fn base_url(text: &str, page_url: &Url) -> Url {
    let Ok(dom) = tl::parse(text, tl::ParserOptions::default()) else {
        return page_url.clone();
    };
    dom.nodes()
        .iter()
        .filter_map(tl::Node::as_tag)
        .find(|tag| tag.name().as_utf8_str().eq_ignore_ascii_case("base"))
        .and_then(|tag| attribute(tag, "href").flatten())
        .and_then(|href| page_url.join(&href).ok())
        .unwrap_or_else(|| page_url.clone())
}

/// The last path segment of a link, percent-decoded: the file name.
fn filename_of(href: &str) -> String {
    let path = href.split(['#', '?']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    percent_encoding::percent_decode_str(last)
        .decode_utf8_lossy()
        .into_owned()
}

/// Parses every `<a href>` of a page.
pub(crate) fn parse(text: &str, page_url: &Url) -> Result<HtmlPage, String> {
    let dom = tl::parse(text, tl::ParserOptions::default())
        .map_err(|error| format!("invalid HTML: {error}"))?;
    let _ = page_url;
    let mut files = Vec::new();
    for tag in dom.nodes().iter().filter_map(tl::Node::as_tag) {
        if !tag.name().as_utf8_str().eq_ignore_ascii_case("a") {
            continue;
        }
        let Some(Some(href)) = attribute(tag, "href") else {
            continue;
        };
        let filename = filename_of(&href);
        if filename.is_empty() {
            continue;
        }
        // PEP 714: `data-core-metadata` wins; `data-dist-info-metadata` is the older spelling.
        let metadata = attribute(tag, "data-core-metadata")
            .or_else(|| attribute(tag, "data-dist-info-metadata"));
        let core_metadata = match metadata {
            None => CoreMetadataHint::Unknown,
            Some(None) => CoreMetadataHint::Available(None),
            Some(Some(value)) => match value.trim() {
                "true" | "" => CoreMetadataHint::Available(None),
                "false" => CoreMetadataHint::NotAvailable,
                value => match value.split_once('=') {
                    Some((algorithm, digest)) => {
                        CoreMetadataHint::Available(Some(Hashes::from_pairs([(algorithm, digest)])))
                    }
                    None => CoreMetadataHint::Available(None),
                },
            },
        };
        files.push(RawFile {
            filename,
            url: href,
            hashes: Hashes::default(),
            requires_python: attribute(tag, "data-requires-python").flatten(),
            yanked: attribute(tag, "data-yanked").map(Option::unwrap_or_default),
            upload_time: None,
            size: None,
            core_metadata,
        });
    }
    Ok(HtmlPage { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_character_references() {
        assert_eq!(
            unescape("&gt;=3.8,&lt;4&amp;&#62;&#x3C;&bogus;&"),
            ">=3.8,<4&><&bogus;&"
        );
    }

    #[test]
    fn reads_anchors_and_their_data_attributes() {
        let page = r#"<html><head><base href="https://files.example/base/"></head><body>
            <a href="../p/x-1.0-py3-none-any.whl#sha256=ab" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=cd">x-1.0-py3-none-any.whl</a>
            <a href="x-1.0.tar.gz" data-yanked="">x-1.0.tar.gz</a>
            <a href="x%2B1-2.0.tar.gz" data-yanked="bad &amp; broken" data-core-metadata="false">x</a>
            <a>no href</a></body></html>"#;
        let url = Url::parse("https://index.example/simple/x/").expect("valid");
        let parsed = parse(page, &url).expect("valid html");
        assert_eq!(parsed.files.len(), 3);
        assert_eq!(parsed.files[0].requires_python.as_deref(), Some(">=3.8"));
        assert!(
            matches!(&parsed.files[0].core_metadata, CoreMetadataHint::Available(Some(h)) if h.sha256.as_deref() == Some("cd"))
        );
        assert_eq!(parsed.files[1].yanked.as_deref(), Some(""));
        assert_eq!(parsed.files[2].filename, "x+1-2.0.tar.gz");
        assert_eq!(parsed.files[2].yanked.as_deref(), Some("bad & broken"));
        assert_eq!(
            parsed.files[2].core_metadata,
            CoreMetadataHint::NotAvailable
        );
        assert_eq!(base_url(page, &url).as_str(), "https://files.example/base/");
    }
}
