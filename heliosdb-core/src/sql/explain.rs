//! EXPLAIN: the plan the engine will run, as indented text lines.

use super::plan::{Access, InsertSource, JoinKind, Plan, SetOpKind, StmtPlan, Temporal, UpsertAction, UpsertTarget};

fn access_line(sp: &super::plan::ScanPlan) -> String {
    let line = access_text(sp);
    if sp.reverse {
        format!("{line} descending")
    } else {
        line
    }
}

fn access_text(sp: &super::plan::ScanPlan) -> String {
    let when = match &sp.temporal {
        None => String::new(),
        Some(Temporal::AsOf { kind, .. }) => format!(" AS OF {}", kind.keyword()),
        Some(Temporal::History { kind, .. }) => format!(" VERSIONS BETWEEN {}", kind.keyword()),
    };
    let t = &sp.table;
    match &sp.access {
        // Indexes hold the present only: the past is read by primary key.
        Access::Key(ka) if ka.index.is_some() && sp.temporal.is_some() => format!("SCAN {} (full){when}", t.name),
        Access::Full => format!("SCAN {} (full){when}", t.name),
        // The whole of an index, for its order (see `planner::order`).
        Access::Key(ka) if ka.prefixes == [vec![]] && ka.lo.is_none() && ka.hi.is_none() => match ka.index {
            Some(i) => format!("SCAN {} USING {} {}", t.name, index_kind(sp, i), t.indexes[i].name),
            None => format!("SCAN {} (full){when}", t.name),
        },
        // A ranked view reads the partitions the WHERE names, whole.
        Access::Key(ka) if t.ranked().is_some() => {
            let cols = t.ranked().map_or(&[][..], |l| &l.part_columns[..]);
            let fixed = ka.prefixes.first().map_or(0, Vec::len);
            let names: Vec<&str> =
                cols.iter().take(fixed).filter_map(|c| t.columns.get(*c)).map(|c| c.name.as_str()).collect();
            let how = if ka.prefixes.len() > 1 { "IN list" } else { "equality" };
            format!("SEARCH {} PARTITIONS ({}) by {how}{when}", t.name, names.join(", "))
        }
        Access::Key(ka) => {
            let cols: Vec<String> = sp
                .key_columns(ka.index)
                .iter()
                .take(ka.prefixes.first().map_or(0, Vec::len) + usize::from(ka.lo.is_some() || ka.hi.is_some()))
                .map(|(c, _)| t.columns.get(*c).map_or("rowid".to_string(), |col| col.name.clone()))
                .collect();
            let how = if ka.lo.is_some() || ka.hi.is_some() {
                "range"
            } else if ka.prefixes.len() > 1 {
                "IN list"
            } else {
                "equality"
            };
            match ka.index {
                None => format!("SEARCH {} USING PRIMARY KEY ({}) by {how}{when}", t.name, cols.join(", ")),
                Some(i) => {
                    let kind = index_kind(sp, i);
                    format!("SEARCH {} USING {kind} {} ({}) by {how}", t.name, t.indexes[i].name, cols.join(", "))
                }
            }
        }
    }
}

/// "COVERING INDEX" when the index entries alone answer the scan (the rows are not read).
fn index_kind(sp: &super::plan::ScanPlan, index: usize) -> &'static str {
    if sp.index_covers(index) {
        "COVERING INDEX"
    } else {
        "INDEX"
    }
}

fn walk(plan: &Plan, depth: usize, out: &mut Vec<String>) {
    let pad = "  ".repeat(depth);
    let mut line = |s: String| out.push(format!("{pad}{s}"));
    match plan {
        Plan::Empty => line("ONE ROW".into()),
        Plan::Scan(sp) => line(access_line(sp)),
        Plan::System { table, input, .. } => {
            line(format!("TABLE FUNCTION {}", table.name()));
            if !matches!(**input, Plan::Empty) {
                walk(input, depth + 1, out);
            }
        }
        Plan::Values(rows) => line(format!("VALUES ({} rows)", rows.len())),
        Plan::Filter { input, .. } => {
            line("FILTER".into());
            walk(input, depth + 1, out);
        }
        Plan::Project { input, exprs } => {
            line(format!("PROJECT ({} columns)", exprs.len()));
            walk(input, depth + 1, out);
        }
        Plan::Aggregate { input, group, aggs } => {
            if group.is_empty() {
                line(format!("AGGREGATE ({} aggregates, one group)", aggs.len()));
            } else {
                line(format!("HASH AGGREGATE ({} group keys, {} aggregates)", group.len(), aggs.len()));
            }
            walk(input, depth + 1, out);
        }
        Plan::Window { input, calls } => {
            line(format!("WINDOW ({} functions)", calls.len()));
            walk(input, depth + 1, out);
        }
        Plan::Sort { input, keys, presorted } => {
            let how = if *presorted { ", index order unless AS OF" } else { "" };
            line(format!("SORT ({} keys{how})", keys.len()));
            walk(input, depth + 1, out);
        }
        Plan::Distinct { input } => {
            line("DISTINCT".into());
            walk(input, depth + 1, out);
        }
        Plan::Limit { input, .. } => {
            line("LIMIT".into());
            walk(input, depth + 1, out);
        }
        Plan::Recursive { anchor, step, distinct, queue, .. } => {
            let how = match queue {
                None => "",
                Some(q) if !q.order.is_empty() => ", row by row, ordered queue",
                Some(_) => ", row by row",
            };
            line(format!("RECURSIVE CTE ({}{how})", if *distinct { "UNION" } else { "UNION ALL" }));
            walk(anchor, depth + 1, out);
            walk(step, depth + 1, out);
        }
        Plan::Working { .. } => line("SCAN previous round of the recursive CTE".into()),
        Plan::SetOp { op, all, left, right } => {
            let name = match op {
                SetOpKind::Union => "UNION",
                SetOpKind::Intersect => "INTERSECT",
                SetOpKind::Except => "EXCEPT",
            };
            line(format!("{name}{}", if *all { " ALL" } else { "" }));
            walk(left, depth + 1, out);
            walk(right, depth + 1, out);
        }
        Plan::Join { left, right, kind, equi, .. } => {
            let kind = if *kind == JoinKind::LeftOuter { "LEFT " } else { "" };
            if equi.is_empty() {
                line(format!("{kind}NESTED LOOP JOIN"));
            } else {
                line(format!("{kind}HASH JOIN ({} keys; right side hashed)", equi.len()));
            }
            walk(left, depth + 1, out);
            walk(right, depth + 1, out);
        }
    }
}

/// The lines EXPLAIN prints for a planned statement.
pub fn explain(plan: &StmtPlan) -> Vec<String> {
    let mut out = Vec::new();
    match plan {
        StmtPlan::Query(q) => walk(&q.plan, 0, &mut out),
        StmtPlan::Insert(p) => {
            out.push(format!("INSERT INTO {}", p.table.name));
            match &p.source {
                InsertSource::Query(q) => walk(q, 1, &mut out),
                InsertSource::Values(rows) => out.push(format!("  VALUES ({} rows)", rows.len())),
                InsertSource::Defaults => out.push("  DEFAULT VALUES".into()),
            }
            if let Some(up) = &p.upsert {
                let target = match up.target {
                    UpsertTarget::Any => "any key".to_string(),
                    UpsertTarget::PrimaryKey => "PRIMARY KEY".to_string(),
                    UpsertTarget::Unique(i) => p.table.indexes.get(i).map_or_else(String::new, |ix| ix.name.clone()),
                };
                let action = match up.action {
                    UpsertAction::Nothing => "DO NOTHING",
                    UpsertAction::Update { .. } => "DO UPDATE",
                };
                out.push(format!("  ON CONFLICT ({target}) {action}"));
            }
        }
        StmtPlan::Update(p) => {
            out.push(format!("UPDATE {}", p.table.name));
            walk(&p.source, 1, &mut out);
        }
        StmtPlan::Delete(p) => {
            out.push(format!("DELETE FROM {}", p.table.name));
            walk(&p.source, 1, &mut out);
        }
        StmtPlan::CreateTable { table, .. } => out.push(format!("CREATE TABLE {}", table.name)),
        StmtPlan::CreateIndex { table, index, .. } => {
            out.push(format!("CREATE INDEX {} ON {table} (build from a full scan)", index.name))
        }
        StmtPlan::AlterTable { table, .. } => out.push(format!("ALTER TABLE {table}")),
        StmtPlan::CreateView { view, .. } => out.push(format!("CREATE VIEW {}", view.name)),
        StmtPlan::CreateMaterializedView { table, .. } => {
            out.push(format!("CREATE MATERIALIZED VIEW {}", table.name));
            if let Some(n) = crate::mv::creation_notice(table) {
                out.push(format!("  {n}"));
            }
        }
        StmtPlan::DropMaterializedView { names, .. } => {
            out.push(format!("DROP MATERIALIZED VIEW {}", names.join(", ")))
        }
        StmtPlan::AlterMaterializedView { name, .. } => out.push(format!("ALTER MATERIALIZED VIEW {name}")),
        StmtPlan::CreateTrigger { table, trigger } => out.push(format!("CREATE TRIGGER {} ON {table}", trigger.name)),
        StmtPlan::DropTrigger { name, .. } => out.push(format!("DROP TRIGGER {name}")),
        StmtPlan::Maintenance(m) => out.push(format!("{m:?}")),
        StmtPlan::Reindex { name } => out.push(format!("REINDEX {}", name.as_deref().unwrap_or(""))),
        StmtPlan::DropTable { names, .. } | StmtPlan::DropIndex { names, .. } | StmtPlan::DropView { names, .. } => {
            out.push(format!("DROP {}", names.join(", ")))
        }
        StmtPlan::CreateChangefeed { name, tables, .. } => {
            out.push(format!("CREATE CHANGEFEED {name} FOR TABLE {}", tables.join(", ")))
        }
        StmtPlan::DropChangefeed { name, .. } => out.push(format!("DROP CHANGEFEED {name}")),
        StmtPlan::Explain(inner) => out.extend(explain(inner)),
        StmtPlan::Begin => out.push("BEGIN".into()),
        StmtPlan::Commit => out.push("COMMIT".into()),
        StmtPlan::Rollback => out.push("ROLLBACK".into()),
        StmtPlan::Savepoint(text) => out.push(text.clone()),
    }
    out
}
