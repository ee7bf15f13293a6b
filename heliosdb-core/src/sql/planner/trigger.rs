//! Planning CREATE TRIGGER and DROP TRIGGER. Bodies are stored as SQL text
//! and planned when a statement fires them (see `exec::triggers`), so a
//! trigger follows schema changes; CREATE plans them once to refuse a broken
//! trigger at once.

use crate::catalog::{normalize, Catalog, TriggerDef, TriggerEvent, TriggerTiming};
use crate::error::{sql_err, Result};
use crate::sql::binder::object_name;
use crate::sql::plan::StmtPlan;
use sqlparser::ast;

/// Plans `CREATE TRIGGER`.
///
/// # Errors
/// Unknown table or columns, unsupported kinds (INSTEAD OF, FOR EACH
/// STATEMENT, several events), a body that does not plan.
pub fn plan_create(ct: &ast::CreateTrigger, catalog: &Catalog, sql: &str) -> Result<StmtPlan> {
    let name = object_name(&ct.name);
    let tname = object_name(&ct.table_name);
    if catalog.views.contains_key(&normalize(&tname)) {
        return Err(sql_err!("cannot create trigger {name} on view {tname}: INSTEAD OF triggers are not supported"));
    }
    let table = catalog.table(&tname)?;
    let timing = match ct.period {
        None | Some(ast::TriggerPeriod::Before) => TriggerTiming::Before,
        Some(ast::TriggerPeriod::After) => TriggerTiming::After,
        Some(other) => return Err(sql_err!("{other} triggers are not supported")),
    };
    let [event] = ct.events.as_slice() else {
        return Err(sql_err!("a trigger fires on one of INSERT, UPDATE or DELETE"));
    };
    let event = match event {
        ast::TriggerEvent::Insert => TriggerEvent::Insert,
        ast::TriggerEvent::Delete => TriggerEvent::Delete,
        ast::TriggerEvent::Update(cols) => TriggerEvent::Update(
            cols.iter()
                .map(|c| table.column_index(&c.value).ok_or_else(|| sql_err!("no such column: {}", c.value)))
                .collect::<Result<_>>()?,
        ),
        ast::TriggerEvent::Truncate => return Err(sql_err!("TRUNCATE triggers are not supported")),
    };
    if let Some(
        ast::TriggerObjectKind::For(ast::TriggerObject::Statement)
        | ast::TriggerObjectKind::ForEach(ast::TriggerObject::Statement),
    ) = ct.trigger_object
    {
        return Err(sql_err!("FOR EACH STATEMENT triggers are not supported (triggers run for each row)"));
    }
    let statements = match &ct.statements {
        Some(ast::ConditionalStatements::BeginEnd(b)) => &b.statements,
        Some(ast::ConditionalStatements::Sequence { statements }) => statements,
        None => return Err(sql_err!("trigger {name} needs a body: BEGIN statement; … END")),
    };
    let def = TriggerDef {
        name,
        timing,
        event,
        when: ct.condition.as_ref().map(ToString::to_string),
        body: statements.iter().map(ToString::to_string).collect(),
        sql: sql.to_string(),
    };
    // Plan the body now, so a broken trigger is refused when it is created.
    let mut probe = (**table).clone();
    probe.triggers = vec![def.clone()];
    crate::exec::triggers::compile(&probe, catalog)?;
    Ok(StmtPlan::CreateTrigger { table: table.name.clone(), trigger: def })
}

/// Plans `DROP TRIGGER [IF EXISTS] name`.
pub fn plan_drop(dt: &ast::DropTrigger) -> StmtPlan {
    StmtPlan::DropTrigger { name: object_name(&dt.trigger_name), if_exists: dt.if_exists }
}
