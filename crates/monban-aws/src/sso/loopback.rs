//! The loopback redirect listener of the authorization-code flow: a one-shot HTTP server on
//! `127.0.0.1` (never another interface) that waits for the browser to come back to
//! `/oauth/callback?code=…&state=…`, checks the state, and answers with a page telling the
//! user they may close the tab. Blocking and std-only: it runs between two SDK calls.

use std::fmt;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::SsoError;

/// The callback path, as AWS CLI v2 uses it.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// A bound listener waiting for one redirect.
pub struct LoopbackRedirect {
    listener: TcpListener,
    port: u16,
}

impl fmt::Debug for LoopbackRedirect {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("LoopbackRedirect")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl LoopbackRedirect {
    /// Binds `127.0.0.1` on a free port.
    pub fn bind() -> Result<Self, SsoError> {
        let io = |source| SsoError::Io {
            path: "127.0.0.1:0".into(),
            action: "listen on",
            source,
        };
        let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(io)?;
        let port = listener.local_addr().map_err(io)?.port();
        listener.set_nonblocking(true).map_err(io)?;
        Ok(Self { listener, port })
    }

    /// `http://127.0.0.1:<port>/oauth/callback`.
    #[must_use]
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits up to `timeout` for the redirect and returns the authorization code. Other
    /// paths (a browser's `/favicon.ico`) are answered 404 and ignored; a wrong `state` or
    /// an `error=` redirect is an error.
    pub fn wait_for_code(&self, state: &str, timeout: Duration) -> Result<String, SsoError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(outcome) = handle(stream, state) {
                        return outcome;
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(SsoError::Redirect {
                            detail: format!(
                                "no answer from the browser within {} minutes",
                                timeout.as_secs() / 60
                            ),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(source) => {
                    return Err(SsoError::Io {
                        path: self.redirect_uri().into(),
                        action: "accept on",
                        source,
                    });
                }
            }
        }
    }
}

/// Handles one connection: `None` when it was not the callback.
fn handle(mut stream: TcpStream, state: &str) -> Option<Result<String, SsoError>> {
    // The accepted socket inherits non-blocking on some platforms.
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    reader.read_line(&mut request_line).ok()?;
    let target = request_line.split_whitespace().nth(1).unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        let _ = respond(&mut stream, "404 Not Found", "Not found.");
        return None;
    }
    let mut code = None;
    let mut returned_state = None;
    let mut error = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "code" => code = Some(value.into_owned()),
            "state" => returned_state = Some(value.into_owned()),
            "error" => error = Some(value.into_owned()),
            "error_description" if error.is_some() => {
                error = Some(format!("{}: {value}", error.unwrap_or_default()));
            }
            _ => {}
        }
    }
    let outcome = if let Some(error) = error {
        Err(SsoError::Redirect {
            detail: format!("the sign-in page answered `{error}`"),
        })
    } else if returned_state.as_deref() != Some(state) {
        Err(SsoError::Redirect {
            detail: "the redirect's state does not match this login (a stale or forged redirect)"
                .to_owned(),
        })
    } else if let Some(code) = code {
        Ok(code)
    } else {
        Err(SsoError::Redirect {
            detail: "the redirect carried no authorization code".to_owned(),
        })
    };
    let message = if outcome.is_ok() {
        "Signed in. You can close this tab and return to the terminal."
    } else {
        "Sign-in failed; see the terminal."
    };
    let _ = respond(&mut stream, "200 OK", message);
    Some(outcome)
}

fn respond(stream: &mut TcpStream, status: &str, message: &str) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>monban</title></head><body><p>{message}</p></body></html>"
    );
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn get(uri: &str) -> String {
        let address = uri
            .strip_prefix("http://")
            .and_then(|rest| rest.split_once('/'))
            .map(|(authority, _)| authority.to_owned())
            .expect("an http uri");
        let path = &uri[uri.find("/oauth").expect("path")..];
        let mut stream = TcpStream::connect(address).expect("connects");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").expect("writes");
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response
    }

    #[test]
    fn returns_the_code_when_the_state_matches() {
        let redirect = LoopbackRedirect::bind().expect("binds");
        let uri = redirect.redirect_uri();
        let browser = std::thread::spawn(move || get(&format!("{uri}?code=abc&state=s1")));
        let code = redirect
            .wait_for_code("s1", Duration::from_secs(10))
            .expect("a code");
        assert_eq!(code, "abc");
        assert!(browser.join().expect("joins").contains("200 OK"));
    }

    #[test]
    fn refuses_a_wrong_state() {
        let redirect = LoopbackRedirect::bind().expect("binds");
        let uri = redirect.redirect_uri();
        let browser = std::thread::spawn(move || get(&format!("{uri}?code=abc&state=other")));
        let error = redirect
            .wait_for_code("s1", Duration::from_secs(10))
            .expect_err("refused");
        assert!(error.to_string().contains("state"), "{error}");
        browser.join().expect("joins");
    }
}
