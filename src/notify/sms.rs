//! SMS transports.
//!
//! [`SmsSender`] is the seam for providers. [`HttpGateway`] is the generic
//! one: it POSTs `{"to": "+8613800138000", "text": "..."}` as JSON to the
//! configured URL with `Authorization: Bearer <token>` and treats any 2xx
//! answer as accepted. A provider-specific adapter (Aliyun, Tencent Cloud,
//! Twilio, ...) either sits behind such a gateway or implements the trait.
use secrecy::{ExposeSecret, SecretString};
use std::{future::Future, pin::Pin, time::Duration};
use url::Url;

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Something that can deliver a text message to an E.164 number.
pub trait SmsSender: Send + Sync {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a>;
}

/// The generic HTTP gateway.
pub struct HttpGateway {
    client: reqwest::Client,
    url: Url,
    token: Option<SecretString>,
}

impl HttpGateway {
    pub fn new(url: Url, token: Option<SecretString>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("HTTP client");
        HttpGateway { client, url, token }
    }
}

impl SmsSender for HttpGateway {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let mut req = self
                .client
                .post(self.url.clone())
                .json(&serde_json::json!({ "to": to, "text": text }));
            if let Some(token) = &self.token {
                req = req.bearer_auth(token.expose_secret());
            }
            let res = req
                .send()
                .await
                .map_err(|e| format!("SMS gateway: {}", e.without_url()))?;
            if res.status().is_success() {
                Ok(())
            } else {
                Err(format!("SMS gateway answered {}", res.status()))
            }
        })
    }
}

/// No gateway configured: the text goes to the server log.
pub struct LogSms;

impl SmsSender for LogSms {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            tracing::info!(target: "orgdesk::notify::log_transport", channel = "sms", to, "SMS (log transport): {text}");
            Ok(())
        })
    }
}
