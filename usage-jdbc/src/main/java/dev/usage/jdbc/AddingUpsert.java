package dev.usage.jdbc;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * An {@code INSERT ... SELECT} that adds to the rows whose key exists: additive columns are summed, the
 * max column keeps the larger value (a null counts as absent). The select must name its columns
 * {@code v1..vn} in the order of {@code keys}, {@code sums}, then {@code max} (if any).
 */
final class AddingUpsert {

  private AddingUpsert() {}

  static String sql(JdbcDialect dialect, String table, List<String> keys, List<String> sums, String max,
      String select) {
    List<String> columns = new java.util.ArrayList<>(keys);
    columns.addAll(sums);
    if (max != null) {
      columns.add(max);
    }
    String names = String.join(", ", columns);
    return switch (dialect) {
      case POSTGRESQL -> "INSERT INTO " + table + " (" + names + ") SELECT * FROM (" + select + ") s ON CONFLICT ("
          + String.join(", ", keys) + ") DO UPDATE SET " + assignments(sums, max, table + ".", "EXCLUDED.%s", columns);
      case MARIADB, MYSQL -> "INSERT INTO " + table + " (" + names + ") SELECT * FROM (" + select + ") s"
          + " ON DUPLICATE KEY UPDATE " + assignments(sums, max, "", "VALUES(%s)", columns);
      case H2 -> "MERGE INTO " + table + " t USING (" + select + ") s ON ("
          + IntStream.range(0, keys.size()).mapToObj(i -> "t." + keys.get(i) + " = s.v" + (i + 1))
              .collect(Collectors.joining(" AND "))
          + ") WHEN MATCHED THEN UPDATE SET " + assignments(sums, max, "t.", "s.v%s", columns)
          + " WHEN NOT MATCHED THEN INSERT (" + names + ") VALUES ("
          + IntStream.rangeClosed(1, columns.size()).mapToObj(i -> "s.v" + i).collect(Collectors.joining(", ")) + ")";
    };
  }

  private static String assignments(List<String> sums, String max, String current, String incomingPattern,
      List<String> columns) {
    boolean byIndex = incomingPattern.startsWith("s.v");
    java.util.function.Function<String, String> incoming = c -> String.format(incomingPattern,
        byIndex ? Integer.toString(columns.indexOf(c) + 1) : c);
    String out = sums.stream().map(c -> c + " = " + current + c + " + " + incoming.apply(c))
        .collect(Collectors.joining(", "));
    if (max != null) {
      String now = current + max;
      String in = incoming.apply(max);
      out += ", " + max + " = CASE WHEN " + in + " IS NULL OR " + now + " >= " + in + " THEN " + now + " ELSE " + in
          + " END";
    }
    return out;
  }
}
