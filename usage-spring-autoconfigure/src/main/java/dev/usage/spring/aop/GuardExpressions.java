package dev.usage.spring.aop;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * Parses (once) and evaluates the SpEL of the annotations. Variables: the method's parameters by name,
 * {@code #args}, {@code #result} after the call; {@code @beanName} refers to a bean. Thread-safe.
 */
final class GuardExpressions {

  private final SpelExpressionParser parser =
      new SpelExpressionParser(new SpelParserConfiguration(SpelCompilerMode.MIXED, GuardExpressions.class.getClassLoader()));
  private final Map<String, Expression> parsed = new ConcurrentHashMap<>();
  private final ParameterNameDiscoverer names = new DefaultParameterNameDiscoverer();
  private final BeanFactory beanFactory;

  GuardExpressions(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  /**
   * Parses {@code expression}, remembering it.
   *
   * @throws IllegalStateException a syntax error, with {@code where} in the message
   */
  Expression parse(String expression, String where) {
    Expression e = parsed.get(expression);
    if (e != null) {
      return e;
    }
    try {
      e = parser.parseExpression(expression);
    } catch (ParseException ex) {
      throw new IllegalStateException(where + ": cannot parse '" + expression + "': " + ex.getMessage(), ex);
    }
    parsed.putIfAbsent(expression, e);
    return e;
  }

  /** A context over one call's arguments. */
  EvaluationContext context(Method method, Object[] args) {
    MethodBasedEvaluationContext ctx = new MethodBasedEvaluationContext(null, method, args, names);
    ctx.setVariable("args", args);
    if (beanFactory != null) {
      ctx.setBeanResolver(new BeanFactoryResolver(beanFactory));
    }
    return ctx;
  }

  /**
   * A whole number of units.
   *
   * @throws IllegalArgumentException the expression failed, gave null, or gave no whole number
   */
  long amount(String expression, EvaluationContext ctx, String where) {
    Object v = evaluate(expression, ctx, where);
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    throw new IllegalArgumentException(where + ": '" + expression + "' must give a whole number, gave " + v);
  }

  /**
   * A non-null string.
   *
   * @throws IllegalArgumentException the expression failed or gave null
   */
  String text(String expression, EvaluationContext ctx, String where) {
    return String.valueOf(evaluate(expression, ctx, where));
  }

  /**
   * A string, or empty when the expression gives null.
   *
   * @throws IllegalArgumentException the expression failed
   */
  Optional<String> optionalText(String expression, EvaluationContext ctx, String where) {
    return Optional.ofNullable(evaluateOrNull(expression, ctx, where)).map(String::valueOf);
  }

  private Object evaluate(String expression, EvaluationContext ctx, String where) {
    Object v = evaluateOrNull(expression, ctx, where);
    if (v == null) {
      throw new IllegalArgumentException(where + ": '" + expression + "' gave null");
    }
    return v;
  }

  private Object evaluateOrNull(String expression, EvaluationContext ctx, String where) {
    try {
      return parse(expression, where).getValue(ctx);
    } catch (EvaluationException ex) {
      throw new IllegalArgumentException(where + ": '" + expression + "' failed: " + ex.getMessage(), ex);
    }
  }
}
