/**
 * JDBC storage on H2, PostgreSQL and MariaDB/MySQL. Placeholder until the JDBC storage work lands: the
 * module compiles and resolves its dependencies, and holds no storage yet.
 */
package dev.usage.jdbc;
