//! The sign-in pages' HTML: one self-contained page layout (inline CSS, no external assets,
//! no JavaScript) and escaping. Only presentation lives here; `signin` decides what to say.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML content and attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;\
background:#f2f3f3;color:#16191f}\
header{background:#232f3e;color:#fff;padding:14px 24px;font-size:15px;letter-spacing:.02em}\
header b{color:#ff9900}\
main{max-width:440px;margin:48px auto;background:#fff;border-radius:8px;\
box-shadow:0 1px 4px rgba(0,28,36,.2);padding:28px 32px}\
h1{font-size:22px;margin:0 0 12px}\
p{line-height:1.5;margin:0 0 14px}\
label{display:block;font-weight:600;font-size:14px;margin:14px 0 4px}\
input[type=text],input[type=password]{width:100%;padding:9px 10px;font-size:15px;\
border:1px solid #aab7b8;border-radius:4px}\
input[readonly]{background:#f2f3f3;font-family:monospace;letter-spacing:.1em}\
.buttons{display:flex;gap:10px;margin-top:22px}\
button{flex:1;padding:10px;font-size:15px;font-weight:600;border-radius:20px;cursor:pointer;\
border:1px solid #ec7211;background:#ec7211;color:#fff}\
button.secondary{background:#fff;color:#16191f;border-color:#545b64}\
.note{font-size:13px;color:#545b64;margin-top:18px}\
.ok{border-left:4px solid #1d8102;padding-left:12px}\
.refused{border-left:4px solid #d13212;padding-left:12px}\
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 14px;font-size:14px}\
dt{font-weight:600}dd{margin:0;word-break:break-all}\
code{font-size:13px}";

/// A complete page: the sandbox banner and `body` (already HTML) in a card.
#[must_use]
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · monban sandbox</title><style>{STYLE}</style></head>\
<body><header><b>monban</b> sandbox · IAM Identity Center</header><main>{body}</main></body></html>\n",
        title = escape(title),
    )
}

/// An HTML response.
#[must_use]
pub fn response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The sign-in pages carry one-time codes: never cache them.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A page that only says something: `class` is `ok` or `refused`.
#[must_use]
pub fn message(status: StatusCode, title: &str, class: &str, text_html: &str) -> Response {
    response(
        status,
        page(
            title,
            &format!(
                "<h1>{}</h1><div class=\"{class}\">{text_html}</div>",
                escape(title)
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
