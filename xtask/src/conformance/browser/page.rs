//! The page whose script sends the cases' requests: an empty HTML page served on a
//! loopback port under any host name, and the script that WebDriver runs in it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use cors_cases::BrowserCase;
use serde_json::{json, Value};

/// Serves the page on a loopback port, on a background thread that lives as long as the
/// run; each connection on a thread of its own, since a browser may open one and send
/// nothing on it (Chromium preconnects).
pub fn serve() -> Result<SocketAddr, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot serve the page: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    Ok(addr)
}

fn answer(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf);
    let body = "<!doctype html><meta charset=utf-8><title>CORS conformance</title><body>";
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

/// What the script is told to do for a case: every request of the case, to `url`.
pub fn script_arguments(case: &BrowserCase, server: &str, url: &str) -> Value {
    json!({
        "url": format!("{server}{url}"),
        "signIn": case.sign_in.then(|| format!("{server}/session")),
        "sandboxed": case.sandboxed,
        "read": case.read,
        "init": {
            "method": case.method,
            "body": case.body,
            "credentials": if case.credentials { "include" } else { "same-origin" },
        },
        "requests": case.requests(),
    })
}

/// The script: `arguments` are the case's instructions and WebDriver's callback. It
/// resolves with `{ok, status, read}` for the last response, or `{ok: false, error}` at
/// the first request the browser blocks. In a sandboxed iframe, the same steps run in
/// the frame (whose origin is opaque) and the result comes back by `postMessage`.
pub const SCRIPT: &str = r#"
const [spec, done] = arguments;
async function run(spec) {
  if (spec.signIn) {
    try { await (await fetch(spec.signIn, { method: "POST", credentials: "include" })).text(); }
    catch (e) { return { ok: false, error: "sign-in: " + String(e) }; }
  }
  let last = null;
  for (const headers of spec.requests) {
    const init = Object.assign({}, spec.init, { headers });
    if (init.body === null) delete init.body;
    try {
      const r = await fetch(spec.url, init);
      await r.text();
      last = { ok: true, status: r.status, read: spec.read ? r.headers.get(spec.read) : null };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  }
  return last;
}
if (!spec.sandboxed) {
  run(spec).then(done, e => done({ ok: false, error: "script: " + String(e) }));
} else {
  const frame = document.createElement("iframe");
  frame.sandbox = "allow-scripts";
  frame.srcdoc = "<script>" + run.toString() +
    "; addEventListener('message', async e => parent.postMessage(await run(e.data), '*'));<\/script>";
  addEventListener("message", function answer(e) {
    if (e.source !== frame.contentWindow) return;
    removeEventListener("message", answer);
    frame.remove();
    done(e.data);
  });
  frame.onload = () => frame.contentWindow.postMessage(spec, "*");
  document.body.appendChild(frame);
}
"#;
