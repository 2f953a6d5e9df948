use sqlx::PgPool;

/// The migrations ran on the fresh database and the organisations table
/// enforces its rules.
#[sqlx::test]
async fn organisations_table_exists_and_checks_names(db: PgPool) {
    let id = uuid::Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO organisations (id, name) VALUES ($1, $2)",
        id,
        "示例科技有限公司"
    )
    .execute(&db)
    .await
    .unwrap();
    let name = sqlx::query_scalar!("SELECT name FROM organisations WHERE id = $1", id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(name, "示例科技有限公司");

    let empty = sqlx::query!(
        "INSERT INTO organisations (id, name) VALUES ($1, '')",
        uuid::Uuid::now_v7()
    )
    .execute(&db)
    .await;
    assert!(empty.is_err(), "an empty organisation name must be refused");
}
