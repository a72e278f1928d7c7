//! Markdown to HTML, safely: raw HTML in the content is shown as text, never
//! passed through; images are dropped (their description stays); links keep
//! only safe destinations (our pages, https, tel, sms, mailto).

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION
}

/// Whether a link destination is allowed.
fn allowed(destination: &str) -> bool {
    (destination.starts_with('/') && !destination.starts_with("//"))
        || destination.starts_with('#')
        || ["https://", "tel:", "sms:", "mailto:"]
            .iter()
            .any(|scheme| destination.starts_with(scheme))
}

/// Renders Markdown to safe HTML.
pub fn to_html(markdown: &str) -> String {
    let mut dropped_links = 0usize;
    let mut in_image = 0usize;
    let events = Parser::new_ext(markdown, options()).filter_map(|event| match event {
        // Raw HTML becomes visible text: an editor sees it, a reader is safe.
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            if allowed(&dest_url) || link_type == LinkType::Email {
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }))
            } else {
                dropped_links += 1;
                None
            }
        }
        Event::End(TagEnd::Link) if dropped_links > 0 => {
            dropped_links -= 1;
            None
        }
        Event::Text(text) if in_image > 0 => Some(Event::Text(text)),
        other => Some(other),
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Every link destination in a Markdown text.
pub fn links(markdown: &str) -> Vec<String> {
    Parser::new_ext(markdown, options())
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_never_passes_through() {
        let html = to_html(
            "Bonjour <script>alert(1)</script> et <b onclick=\"x\">gras</b>\n\n<iframe src=\"https://evil\"></iframe>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(!html.contains("<iframe"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn only_safe_links_are_kept() {
        let html = to_html(
            "[a](javascript:alert(1)) [b](/fiches/x) [c](tel:3919) [d](https://www.service-public.gouv.fr/) [e](//evil.example)",
        );
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("//evil"), "{html}");
        assert!(html.contains("href=\"/fiches/x\""));
        assert!(html.contains("href=\"tel:3919\""));
        assert!(html.contains("href=\"https://www.service-public.gouv.fr/\""));
        assert!(
            html.contains(">a<") || html.contains("a "),
            "the text of a dropped link stays: {html}"
        );
    }

    #[test]
    fn images_are_dropped_but_their_description_stays() {
        let html = to_html("![un schéma](https://example.org/x.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("un schéma"), "{html}");
    }
}
