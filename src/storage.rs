//! Where uploaded files are kept: an object store (S3 or compatible, or a
//! local directory) behind one small type that knows no feature.
use bytes::Bytes;
use object_store::{ObjectStore, WriteMultipart, path::Path as ObjectPath};
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use std::sync::Arc;
use url::Url;

/// Where document files are kept.
#[derive(Clone)]
pub struct DocumentStore {
    inner: Arc<dyn ObjectStore>,
    /// Bytes held in memory per upload before they are passed on as a part:
    /// S3's smallest part (5 MiB) there, less for a local directory.
    part_size: usize,
}

impl std::fmt::Debug for DocumentStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DocumentStore({})", self.inner)
    }
}

/// S3's smallest multipart part, except the last.
const S3_PART_BYTES: usize = 5 * 1024 * 1024;
const LOCAL_PART_BYTES: usize = 1024 * 1024;

impl DocumentStore {
    /// S3 for an `s3://bucket/prefix` URL (settings from the `AWS_*`
    /// variables, overridden by `s3_options`), else the directory `local`.
    pub fn open(
        url: Option<&Url>,
        s3_options: &[(&'static str, SecretString)],
        local: &Path,
    ) -> Result<Self, String> {
        match url {
            Some(url) if url.scheme() == "s3" => {
                let bucket = url.host_str().ok_or("DOCUMENT_STORE_URL: no bucket")?;
                let mut builder =
                    object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
                for (name, value) in s3_options {
                    let key = name
                        .to_ascii_lowercase()
                        .parse()
                        .map_err(|e| format!("{name}: {e}"))?;
                    builder = builder.with_config(key, value.expose_secret());
                }
                let s3 = builder
                    .build()
                    .map_err(|e| format!("DOCUMENT_STORE_URL: {e}"))?;
                let prefix = url.path().trim_matches('/');
                let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
                };
                Ok(DocumentStore {
                    inner,
                    part_size: S3_PART_BYTES,
                })
            }
            Some(url) => Err(format!(
                "DOCUMENT_STORE_URL: unsupported scheme {:?}; use s3://bucket/prefix or leave it unset",
                url.scheme()
            )),
            None => Self::local(local),
        }
    }

    /// A store in a local directory (created when missing).
    pub fn local(dir: &std::path::Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(DocumentStore {
            inner: Arc::new(fs),
            part_size: LOCAL_PART_BYTES,
        })
    }

    /// Starts writing the object `key` part by part.
    pub async fn writer(&self, key: &str) -> Result<WriteMultipart, object_store::Error> {
        let upload = self.inner.put_multipart(&ObjectPath::from(key)).await?;
        Ok(WriteMultipart::new_with_chunk_size(upload, self.part_size))
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, object_store::Error> {
        self.inner.get(&ObjectPath::from(key)).await?.bytes().await
    }

    pub async fn delete(&self, key: &str) -> Result<(), object_store::Error> {
        match self.inner.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
