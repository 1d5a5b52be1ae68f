//! Files on this computer for attachments: the MIME type a file's name suggests, and the copy
//! under its own name that the system's viewer opens (the store keeps contents by hash, with no
//! name or extension a viewer could go by).

use std::path::{Path, PathBuf};

/// The MIME type of a file by its extension; `application/octet-stream` when unknown.
pub(crate) fn mime_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

/// A file name safe to create: its last path component, never empty, `.` or `..`.
pub(crate) fn safe_file_name(name: &str) -> String {
    let last = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .replace(['\0', ':'], "_");
    if last.is_empty() || last == "." || last == ".." {
        "attachment".to_owned()
    } else {
        last
    }
}

/// Writes `bytes` as `<directory>/<file name>` (unless it is there already) and returns the
/// path, for the system's viewer.
pub(crate) fn viewer_copy(
    directory: &Path,
    file_name: &str,
    bytes: &[u8],
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(directory)?;
    let path = directory.join(safe_file_name(file_name));
    let current = std::fs::metadata(&path).map(|metadata| metadata.len()).ok();
    if current != Some(bytes.len() as u64) {
        std::fs::write(&path, bytes)?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_the_extension_whatever_its_case() {
        assert_eq!(mime_type(Path::new("/tmp/Quote.PDF")), "application/pdf");
        assert_eq!(mime_type(Path::new("photo.jpeg")), "image/jpeg");
        assert_eq!(mime_type(Path::new("README")), "application/octet-stream");
    }

    #[test]
    fn names_cannot_leave_the_directory() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\me\\quote.pdf"), "quote.pdf");
        assert_eq!(safe_file_name(".."), "attachment");
        assert_eq!(safe_file_name(""), "attachment");
    }

    #[test]
    fn the_viewer_copy_has_the_attachment_name() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = viewer_copy(directory.path(), "Offer 2026.pdf", b"%PDF-1.7").expect("written");
        assert_eq!(path, directory.path().join("Offer 2026.pdf"));
        assert_eq!(std::fs::read(&path).expect("read"), b"%PDF-1.7");
        let again = viewer_copy(directory.path(), "Offer 2026.pdf", b"%PDF-1.7").expect("kept");
        assert_eq!(again, path);
    }
}
