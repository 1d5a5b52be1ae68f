//! Where the app keeps its store: `--data-dir DIR`, else `$CRM_DATA_DIR`, else the OS app-data
//! directory. Tests and the e2e run point it at a temporary directory.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::bail;

pub(crate) const ENVIRONMENT_VARIABLE: &str = "CRM_DATA_DIR";
const FLAG: &str = "--data-dir";

/// The value of `--data-dir DIR` or `--data-dir=DIR`, if given. Other arguments are left to
/// whoever else reads the command line (GTK, WebKit).
pub(crate) fn from_arguments(
    arguments: impl IntoIterator<Item = OsString>,
) -> anyhow::Result<Option<PathBuf>> {
    let mut arguments = arguments.into_iter().skip(1);
    let mut found = None;
    while let Some(argument) = arguments.next() {
        if argument == FLAG {
            match arguments.next() {
                Some(value) if !value.is_empty() => found = Some(PathBuf::from(value)),
                _ => bail!("{FLAG} needs a directory, e.g. {FLAG} ~/crm-data"),
            }
        } else if let Some(value) = argument
            .to_str()
            .and_then(|text| text.strip_prefix(FLAG)?.strip_prefix('='))
        {
            if value.is_empty() {
                bail!("{FLAG} needs a directory, e.g. {FLAG}=~/crm-data");
            }
            found = Some(PathBuf::from(value));
        }
    }
    Ok(found)
}

/// The first of: the command-line directory, the environment's, the app's default.
pub(crate) fn choose(
    argument: Option<PathBuf>,
    environment: Option<OsString>,
    app_default: impl FnOnce() -> anyhow::Result<PathBuf>,
) -> anyhow::Result<PathBuf> {
    if let Some(directory) = argument {
        return Ok(directory);
    }
    match environment {
        Some(directory) if !directory.is_empty() => Ok(PathBuf::from(directory)),
        _ => app_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arguments(list: &[&str]) -> Vec<OsString> {
        std::iter::once("field-crm")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn command_line() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (&[], None),
            (&["--data-dir", "/tmp/a"], Some("/tmp/a")),
            (&["--data-dir=/tmp/b"], Some("/tmp/b")),
            (
                &["--verbose", "--data-dir", "/tmp/c", "--other"],
                Some("/tmp/c"),
            ),
            (&["--data-directory=/tmp/d"], None),
        ];
        for (input, expected) in cases {
            let actual = from_arguments(arguments(input)).expect("parses");
            assert_eq!(actual, expected.map(PathBuf::from), "{input:?}");
        }
        for input in [&["--data-dir"][..], &["--data-dir="], &["--data-dir", ""]] {
            assert!(from_arguments(arguments(input)).is_err(), "{input:?}");
        }
    }

    #[test]
    fn precedence() {
        let default = || Ok(PathBuf::from("/default"));
        let cases = [
            (Some("/cli"), Some("/env"), "/cli"),
            (None, Some("/env"), "/env"),
            (None, Some(""), "/default"),
            (None, None, "/default"),
        ];
        for (argument, environment, expected) in cases {
            let actual = choose(
                argument.map(PathBuf::from),
                environment.map(OsString::from),
                default,
            )
            .expect("chooses");
            assert_eq!(
                actual,
                PathBuf::from(expected),
                "{argument:?} {environment:?}"
            );
        }
    }
}
