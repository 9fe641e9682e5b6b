package dev.usage.benchmarks.analytics;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over another that records every prepared statement run through it (its text and its
 * {@code set*} calls), so that a profile can run {@code EXPLAIN (ANALYZE, BUFFERS)} of exactly what the library
 * ran, with the same parameters, without any change to the library. For profiling only: not for measured runs.
 */
final class StatementRecorder {

  /** One executed statement: its text and the parameter calls to replay. */
  record Recorded(String sql, List<Object[]> calls, List<Method> methods, long nanos) {}

  private final List<Recorded> recorded = Collections.synchronizedList(new ArrayList<>());

  List<Recorded> recorded() {
    return List.copyOf(recorded);
  }

  void clear() {
    recorded.clear();
  }

  DataSource wrap(DataSource target) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, m, args) -> {
          Object r = invoke(target, m, args);
          return m.getName().equals("getConnection") ? connection((Connection) r) : r;
        });
  }

  private Connection connection(Connection c) {
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, m, args) -> {
          Object r = invoke(c, m, args);
          if (m.getName().equals("prepareStatement") && r instanceof PreparedStatement ps) {
            return statement(ps, (String) args[0]);
          }
          return r;
        });
  }

  private PreparedStatement statement(PreparedStatement ps, String sql) {
    List<Object[]> calls = new ArrayList<>();
    List<Method> methods = new ArrayList<>();
    InvocationHandler h = (proxy, m, args) -> {
      if (m.getName().startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer) {
        calls.add(args.clone());
        methods.add(m);
      }
      long t0 = System.nanoTime();
      Object r = invoke(ps, m, args);
      if (m.getName().startsWith("execute")) {
        recorded.add(new Recorded(sql, List.copyOf(calls), List.copyOf(methods), System.nanoTime() - t0));
      }
      return r;
    };
    return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, h);
  }

  private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** {@code EXPLAIN (ANALYZE, BUFFERS)} of {@code r} with its parameters, on {@code c}: the plan's lines. */
  static List<String> explain(Connection c, Recorded r) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + r.sql())) {
      for (int i = 0; i < r.calls().size(); i++) {
        try {
          r.methods().get(i).invoke(p, r.calls().get(i));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("replaying " + r.methods().get(i).getName(), e);
        }
      }
      List<String> lines = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
      return lines;
    }
  }
}
