//! The cookbook on Ballista's standalone cluster (a scheduler and an
//! executor in this process, talking over gRPC and Arrow Flight, the
//! aggregates' partial states shuffled between stages) gives exactly the
//! rows of one DataFusion process, over partitioned Parquet files.

mod common;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use common::{root, rows};
use datafusion::execution::{FunctionRegistry, SessionStateBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookbook_on_a_standalone_cluster() {
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ballista-standalone");
    common::support::sample_as_parquet(&root().join("examples/data"), &data, 4)
        .await
        .unwrap();

    let mut config = SessionConfig::new_with_ballista().with_target_partitions(3);
    // Ballista 55 cannot read back the plans of struct fields moved
    // towards the scan.
    config
        .options_mut()
        .optimizer
        .enable_leaf_expression_pushdown = false;
    let mut state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    for udaf in cxmetrics_datafusion::Config::default().udafs() {
        state.register_udaf(udaf.into()).unwrap();
    }
    let cluster = SessionContext::standalone_with_state(state).await.unwrap();
    // The client's state, made for Ballista, has its default functions
    // only: ours are registered again.
    cxmetrics_datafusion::register(&cluster);
    let local = SessionContext::new();
    cxmetrics_datafusion::register(&local);
    for ctx in [&cluster, &local] {
        for table in ["surveys", "events"] {
            cxmetrics_datafusion::register_files(ctx, table, &[data.join(table)])
                .await
                .unwrap();
        }
    }
    for (name, sql) in cxmetrics_datafusion::cookbook::ALL {
        let expected = rows(&local, sql).await;
        assert!(!expected.is_empty(), "{name}");
        assert_eq!(rows(&cluster, sql).await, expected, "{name}");
    }
}
