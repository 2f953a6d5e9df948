//! A real S3-compatible server for tests: moto (from PyPI, installed by
//! `scripts/setup.sh --test` under target/tools/moto), one process per test,
//! on a free loopback port.
use crate::mail::free_port;
use std::{path::PathBuf, process::Stdio, time::Duration};
use tokio::process::{Child, Command};

pub struct Moto {
    pub port: u16,
    _child: Child,
}

fn moto_bin() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools/moto/bin/moto_server");
    assert!(
        bin.exists(),
        "moto is missing: run `make test` (or `scripts/setup.sh --test`) to install the S3 test server"
    );
    bin
}

impl Moto {
    /// Starts moto with an empty `bucket`.
    pub async fn start(bucket: &str) -> Self {
        let port = free_port();
        let child = Command::new(moto_bin())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start moto_server");
        let moto = Moto {
            port,
            _child: child,
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(res) = client.put(moto.url(&format!("/{bucket}"))).send().await
                && res.status().is_success()
            {
                return moto;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto_server did not start on port {port}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The settings that point the server at this store.
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.url("")),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ]
    }

    /// Keys of the objects in `bucket`.
    pub async fn keys(&self, bucket: &str) -> Vec<String> {
        let xml = reqwest::get(self.url(&format!("/{bucket}?list-type=2")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        xml.split("<Key>")
            .skip(1)
            .filter_map(|s| s.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }

    pub async fn object(&self, bucket: &str, key: &str) -> Vec<u8> {
        reqwest::get(self.url(&format!("/{bucket}/{key}")))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec()
    }
}
