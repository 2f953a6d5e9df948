//! The front end's files: sent as compressed at build time when a copy is
//! there (scripts/precompress.mjs), compressed on the way otherwise.
use crate::helpers::spawn_app_with_site;
use sqlx::PgPool;

fn site() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("orgdesk-site-{}", uuid::Uuid::now_v7()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let body = "(function(){return 1})();\n".repeat(200);
    std::fs::write(pkg.join("app.0123.js"), &body).unwrap();
    // Marked copies: an answer that carries one came from the copy.
    std::fs::write(pkg.join("app.0123.js.br"), b"brotli copy").unwrap();
    std::fs::write(pkg.join("app.0123.js.gz"), b"gzip copy").unwrap();
    std::fs::write(pkg.join("plain.0123.js"), &body).unwrap();
    root
}

/// The answer's encoding, body as it came (no decompression) and Vary.
async fn fetch(url: &str, accept: Option<&str>) -> (Option<String>, Vec<u8>, String) {
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let mut req = client.get(url);
    if let Some(accept) = accept {
        req = req.header("accept-encoding", accept);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_lowercase())
    };
    let (encoding, vary) = (
        header("content-encoding"),
        header("vary").unwrap_or_default(),
    );
    (encoding, res.bytes().await.unwrap().to_vec(), vary)
}

#[sqlx::test]
async fn front_end_files_go_as_compressed_at_build_time(db: PgPool) {
    let root = site();
    let app = spawn_app_with_site(db, root.to_str().unwrap()).await;
    let url = format!("{}/pkg/app.0123.js", app.address);

    let (encoding, body, vary) = fetch(&url, Some("gzip, deflate, br")).await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(body, b"brotli copy");
    // Caches keep each encoding apart.
    assert!(vary.contains("accept-encoding"), "vary: {vary:?}");

    let (encoding, body, _) = fetch(&url, Some("gzip")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(body, b"gzip copy");

    // A browser that takes neither gets the file itself.
    let (encoding, body, _) = fetch(&url, None).await;
    assert_eq!(encoding, None);
    assert_eq!(body, std::fs::read(root.join("pkg/app.0123.js")).unwrap());

    // Without copies (a development build) the file is compressed on the way.
    let (encoding, body, _) =
        fetch(&format!("{}/pkg/plain.0123.js", app.address), Some("gzip")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(body.len() < 1000, "{} bytes", body.len());

    let _ = std::fs::remove_dir_all(root);
}
