/**
 * JDBC storage on H2, PostgreSQL and MariaDB/MySQL: {@link dev.usage.jdbc.JdbcUsageStorage} over a
 * {@link javax.sql.DataSource} the host owns, the versioned schema ({@link dev.usage.jdbc.JdbcSchema}),
 * rollups into {@code usage_aggregations} and retention.
 */
package dev.usage.jdbc;
