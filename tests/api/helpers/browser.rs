//! A user's browser as the tests drive it: the session cookie kept by hand,
//! server function calls and their answers. Each feature's typed calls are in
//! `calls/`.
use super::{SESSION_COOKIE, TestApp, session_cookie};

/// A browser of one user: keeps the session cookie between calls, by hand,
/// so that tests can see and replay every session id.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    /// The session id the next request carries.
    pub session: Option<String>,
    /// The `User-Agent` server function calls carry (reqwest's own when `None`).
    pub user_agent: Option<&'static str>,
}

/// The answer to a server function call.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// The body as sent, for byte-for-byte comparisons.
    pub text: String,
    /// The body as JSON (`Null` when it is not JSON).
    pub json: serde_json::Value,
    /// The `Retry-After` header, in seconds.
    pub retry_after: Option<u64>,
}

impl Answer {
    /// The code of a validation error for `field`.
    pub fn field_code(&self, field: &str) -> Option<&str> {
        self.json["fields"]
            .as_array()?
            .iter()
            .find(|f| f["field"] == field)?["code"]
            .as_str()
    }

    pub fn kind(&self) -> Option<&str> {
        self.json["kind"].as_str()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            session: None,
            user_agent: None,
        }
    }

    /// A browser that names itself `user_agent` in its calls.
    pub fn with_user_agent(mut self, user_agent: &'static str) -> Self {
        self.user_agent = Some(user_agent);
        self
    }

    /// Calls `/api/<endpoint>` and follows what the answer does to the cookie.
    pub async fn call(&mut self, endpoint: &str, form: &[(&str, &str)]) -> Answer {
        let mut req = self
            .app
            .client
            .post(self.app.url(&format!("/api/{endpoint}")))
            .form(form);
        if let Some(id) = &self.session {
            req = req.header("cookie", format!("{SESSION_COOKIE}={id}"));
        }
        if let Some(agent) = self.user_agent {
            req = req.header("user-agent", agent);
        }
        let res = req.send().await.expect("request");
        self.answer(res).await
    }

    /// Like [`Browser::call`], with a form body written by hand (already encoded).
    pub async fn call_raw(&mut self, endpoint: &str, body: String) -> Answer {
        let mut req = self
            .app
            .client
            .post(self.app.url(&format!("/api/{endpoint}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(id) = &self.session {
            req = req.header("cookie", format!("{SESSION_COOKIE}={id}"));
        }
        let res = req.send().await.expect("request");
        self.answer(res).await
    }

    async fn answer(&mut self, res: reqwest::Response) -> Answer {
        if let Some(cookie) = session_cookie(&res) {
            self.session = cookie;
        }
        let status = res.status().as_u16();
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let text = res.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Answer {
            status,
            text,
            json,
            retry_after,
        }
    }

    /// GETs a page with the session cookie; redirects are not followed.
    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let mut req = self.app.client.get(self.app.url(path));
        if let Some(id) = &self.session {
            req = req.header("cookie", format!("{SESSION_COOKIE}={id}"));
        }
        let res = req.send().await.expect("request");
        if let Some(cookie) = session_cookie(&res) {
            self.session = cookie;
        }
        res
    }
}
