//! A real SMTP server for tests: maildev (from npm, under end2end/), one
//! process per test, on free loopback ports. Received mail is read from its
//! HTTP API.
use std::{net::TcpListener, path::PathBuf, process::Stdio, time::Duration};
use tokio::process::{Child, Command};

pub struct MailDev {
    pub smtp_port: u16,
    web_port: u16,
    _child: Child,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn maildev_bin() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("end2end/node_modules/.bin/maildev");
    assert!(
        bin.exists(),
        "maildev is missing: run `make test` (or `cd end2end && npm ci`) to install the test SMTP server"
    );
    bin
}

impl MailDev {
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    /// Starts maildev with its SMTP side on `smtp_port`.
    pub async fn start_on(smtp_port: u16) -> Self {
        let web_port = free_port();
        let child = Command::new(maildev_bin())
            .args([
                "--smtp",
                &smtp_port.to_string(),
                "--web",
                &web_port.to_string(),
            ])
            .args(["--ip", "127.0.0.1", "--silent"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start maildev");
        let mut dev = MailDev {
            smtp_port,
            web_port,
            _child: child,
        };
        // Node starts slowly while the other tests keep both cores busy:
        // up to 30 s, and a process that exited (a port taken) is said at once.
        for _ in 0..300 {
            if reqwest::get(dev.api("/api/email")).await.is_ok()
                && tokio::net::TcpStream::connect(("127.0.0.1", smtp_port))
                    .await
                    .is_ok()
            {
                return dev;
            }
            if let Ok(Some(status)) = dev._child.try_wait() {
                panic!("maildev exited ({status}) on SMTP port {smtp_port}, web port {web_port}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("maildev did not start in 30 s");
    }

    fn api(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.web_port)
    }

    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.smtp_port)
    }

    /// Every message received so far.
    pub async fn emails(&self) -> Vec<serde_json::Value> {
        reqwest::get(self.api("/api/email"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits until at least `n` messages have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        for _ in 0..200 {
            let emails = self.emails().await;
            if emails.len() >= n {
                return emails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} emails, got {}", self.emails().await.len());
    }
}

/// The first recipient address of a maildev message.
pub fn recipient(email: &serde_json::Value) -> String {
    email["to"][0]["address"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
