//! Tables of record files: CSV or Parquet, one file, several, or folders.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::SessionContext;

/// The formats of record files, told by their extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Parquet,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => ".csv",
            Format::Parquet => ".parquet",
        }
    }

    /// The format of a file, or of the files in a folder.
    fn of(path: &Path) -> Result<Format> {
        let by_name = |path: &Path| match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Some(Format::Csv),
            Some("parquet") => Some(Format::Parquet),
            _ => None,
        };
        if !path.is_dir() {
            return by_name(path).ok_or_else(|| {
                DataFusionError::Plan(format!(
                    "{}: neither .csv nor .parquet, the formats of record files",
                    path.display()
                ))
            });
        }
        let mut found = None;
        for entry in std::fs::read_dir(path)? {
            let entry = entry?.path();
            match (found, by_name(&entry)) {
                (_, None) => {}
                (None, format) => found = format,
                (Some(a), Some(b)) if a != b => {
                    return Err(DataFusionError::Plan(format!(
                        "{}: holds both .csv and .parquet files",
                        path.display()
                    )))
                }
                _ => {}
            }
        }
        found.ok_or_else(|| {
            DataFusionError::Plan(format!(
                "{}: no .csv or .parquet files in the folder",
                path.display()
            ))
        })
    }
}

/// Registers `paths` (files, or folders of files, all CSV or all Parquet)
/// as table `name`.
///
/// CSV files have a header, the same in every file, and every column is
/// read as text, as cxmetrics reads records: the functions accept scores
/// and timestamps as text, and identifiers keep their leading zeros.
/// Parquet files keep their own schema: text or integer scores, text or
/// timestamp `at`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> datafusion::error::Result<()> {
/// use datafusion::prelude::SessionContext;
/// let ctx = SessionContext::new();
/// cxmetrics_datafusion::register(&ctx);
/// let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data/surveys.csv");
/// cxmetrics_datafusion::register_files(&ctx, "surveys", &[sample]).await?;
/// let rows = ctx.sql("SELECT count(*) FROM surveys").await?.count().await?;
/// assert_eq!(rows, 1);
/// # Ok(())
/// # }
/// ```
pub async fn register_files<P: AsRef<Path>>(
    ctx: &SessionContext,
    name: &str,
    paths: &[P],
) -> Result<()> {
    let Some(first) = paths.first() else {
        return Err(DataFusionError::Plan(format!("table {name}: no files")));
    };
    let format = Format::of(first.as_ref())?;
    let mut urls = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        let path = path.as_ref();
        if i > 0 && Format::of(path)? != format {
            return Err(DataFusionError::Plan(format!(
                "table {name}: {} is not of the format of {}",
                path.display(),
                first.as_ref().display()
            )));
        }
        let absolute = std::path::absolute(path)?;
        let mut text = absolute.to_string_lossy().into_owned();
        if path.is_dir() && !text.ends_with('/') {
            text.push('/');
        }
        urls.push(ListingTableUrl::parse(text)?);
    }
    let file_format: Arc<dyn FileFormat> = match format {
        Format::Csv => Arc::new(CsvFormat::default().with_has_header(true)),
        Format::Parquet => Arc::new(ParquetFormat::default()),
    };
    let options = ListingOptions::new(file_format).with_file_extension(format.extension());
    let state = ctx.state();
    let inferred = options.infer_schema(&state, &urls[0]).await?;
    let schema = match format {
        Format::Parquet => inferred,
        Format::Csv => Arc::new(Schema::new(
            inferred
                .fields()
                .iter()
                .map(|f| Field::new(f.name(), DataType::Utf8, true))
                .collect::<Vec<_>>(),
        )),
    };
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .with_schema(schema);
    ctx.register_table(name, Arc::new(ListingTable::try_new(config)?))?;
    Ok(())
}
