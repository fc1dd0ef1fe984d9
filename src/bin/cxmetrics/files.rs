//! The option files, read by the library's strict readers
//! ([`cxmetrics::io::options`]); every error names the file.

use std::path::Path;

use cxmetrics::{calendar::Calendar, io::options, sla::SlaPolicy};

use crate::Failure;

/// The file's text, or a failure naming it; `what` prefixes the path to
/// anything the reading of the text finds.
fn read<T>(
    path: &Path,
    what: impl FnOnce(&str) -> Result<T, cxmetrics::Error>,
) -> Result<T, Failure> {
    let named = |message: String| Failure(format!("{}: {message}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| named(e.to_string().to_lowercase()))?;
    what(&text).map_err(|e| named(e.to_string()))
}

/// Reads a calendar file.
pub fn calendar(path: &Path) -> Result<Calendar, Failure> {
    read(path, options::calendar)
}

/// Reads an SLA file; business hours need the calendar.
pub fn sla(path: &Path, calendar: Option<&Calendar>) -> Result<SlaPolicy, Failure> {
    let policy = read(path, options::sla)?;
    if policy.business_hours() && calendar.is_none() {
        return Err(Failure(format!(
            "{}: business_hours: true needs --calendar",
            path.display()
        )));
    }
    Ok(policy)
}

/// Reads a targets file and checks it against the report's options.
pub fn targets(
    path: &Path,
    options: &cxmetrics::AggregateOptions,
) -> Result<cxmetrics::report::Targets, Failure> {
    read(path, |text| options::targets(text, options.layout()))
}
