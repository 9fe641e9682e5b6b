package dev.usage.spring.notify;

import dev.usage.Notification;
import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.QuotaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a {@link Notification} into an e-mail's subject, plain text and HTML, from the templates in
 * {@code dev/usage/spring/notify/templates/} and the texts of the {@code dev/usage/spring/notify/messages}
 * bundle in the notification's locale.
 *
 * <p>Templates know two placeholders: {@code ${name}}, a value of the notification (or a block rendered from
 * another template), and {@code #{key}}, a text of the bundle in which {@code ${name}} is replaced in turn. In
 * HTML every value and every text is escaped; blocks are inserted as rendered. Replacement is one pass, so a
 * value that looks like a placeholder is printed, not expanded. Immutable and thread-safe.
 */
final class NotificationMailRenderer {

  private static final String BUNDLE = "dev.usage.spring.notify.messages";
  private static final String TEMPLATES = "templates/";
  private static final Pattern PLACEHOLDER = Pattern.compile("([$#])\\{([A-Za-z0-9_.]+)}");
  private static final Pattern VALUE = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)}");
  private static final List<String> TEMPLATE_NAMES = List.of("threshold_reached", "quota_reset", "unusual_usage",
      "quota_reset_row", "dashboard");

  private final Map<String, String> templates = new HashMap<>();
  private final Optional<String> dashboardLink;
  private final ZoneId zone;

  /**
   * @param dashboardLink the dashboard's address, linked from every e-mail; empty for no link
   * @param zone the zone in which dates are written
   */
  NotificationMailRenderer(Optional<String> dashboardLink, ZoneId zone) {
    this.dashboardLink = dashboardLink;
    this.zone = zone;
    for (String name : TEMPLATE_NAMES) {
      templates.put(name + ".txt", load(name + ".txt"));
      templates.put(name + ".html", load(name + ".html"));
    }
  }

  /** An e-mail's parts. */
  record RenderedMail(String subject, String text, String html) {}

  RenderedMail render(Notification n) {
    Locale locale = n.locale();
    ResourceBundle messages = ResourceBundle.getBundle(BUNDLE, locale, NotificationMailRenderer.class.getClassLoader(),
        // the base bundle (English) when the locale has none, never the JVM's default locale
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
    Map<String, String> values = new HashMap<>();
    values.put("user", n.userId());
    values.put("lang", locale.toLanguageTag());
    values.put("threshold", String.valueOf(n.thresholdPercent()));
    values.put("periodStart", dateTime(n.periodStart(), locale));
    values.put("periodEnd", dateTime(n.periodEnd(), locale));
    n.quotaType().ifPresent(t -> values.put("type", typeName(t, messages)));
    n.status().ifPresent(s -> {
      values.put("used", number(s.used(), locale));
      values.put("limit", limit(s.limit(), locale, messages));
      values.put("resetAt", dateTime(s.resetAt(), locale));
    });
    n.alert().ifPresent(a -> {
      values.put("units", number(a.units(), locale));
      NumberFormat median = NumberFormat.getNumberInstance(locale);
      median.setMaximumFractionDigits(1);
      values.put("median", median.format(a.baselineMedian()));
      values.put("hourStart", dateTime(a.hourStart(), locale));
    });
    dashboardLink.ifPresent(l -> values.put("dashboardLink", l));
    String base = n.kind().name().toLowerCase(Locale.ROOT);
    // a subject is one header line, whatever a translation holds
    String subject = message("subject." + base, values, messages).replaceAll("[\\r\\n]+", " ").trim();
    values.put("subject", subject);
    String text = fill(base + ".txt", values, blocks(n, values, messages, false), messages, false);
    String html = fill(base + ".html", values, blocks(n, values, messages, true), messages, true);
    return new RenderedMail(subject, text, html);
  }

  /** The rendered blocks: the closed periods' rows, the dashboard link (empty without one). */
  private Map<String, String> blocks(Notification n, Map<String, String> values, ResourceBundle messages,
      boolean html) {
    String ext = html ? ".html" : ".txt";
    Locale locale = n.locale();
    StringBuilder rows = new StringBuilder();
    for (PeriodUsage r : n.closedPeriods()) {
      Map<String, String> row = new HashMap<>(values);
      row.put("type", typeName(r.type(), messages));
      row.put("used", number(r.used(), locale));
      row.put("limit", limit(r.limit(), locale, messages));
      row.put("rolledOver", number(r.rolledOver(), locale));
      rows.append(fill("quota_reset_row" + ext, row, Map.of(), messages, html));
    }
    Map<String, String> blocks = new LinkedHashMap<>();
    blocks.put("rows", rows.toString());
    blocks.put("dashboard", dashboardLink.isPresent() ? fill("dashboard" + ext, values, Map.of(), messages, html) : "");
    return blocks;
  }

  private String fill(String template, Map<String, String> values, Map<String, String> blocks,
      ResourceBundle messages, boolean html) {
    Matcher m = PLACEHOLDER.matcher(templates.get(template));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(2);
      String replacement;
      if (m.group(1).equals("#")) {
        replacement = escape(message(name, values, messages), html);
      } else if (blocks.containsKey(name)) {
        replacement = blocks.get(name);
      } else {
        replacement = escape(value(name, values, template), html);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The text {@code key} of the bundle, with its values put in (unescaped). */
  private static String message(String key, Map<String, String> values, ResourceBundle messages) {
    String text;
    try {
      text = messages.getString(key);
    } catch (MissingResourceException e) {
      throw new IllegalStateException("The notification messages have no text '" + key + "'", e);
    }
    Matcher m = VALUE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(value(m.group(1), values, "message " + key)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String value(String name, Map<String, String> values, String where) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalStateException("The notification " + where + " names ${" + name + "}, which this "
          + "notification has no value for");
    }
    return v;
  }

  private static String typeName(QuotaType type, ResourceBundle messages) {
    String key = "type." + type.name();
    return messages.containsKey(key) ? messages.getString(key) : type.name();
  }

  private static String number(long n, Locale locale) {
    return NumberFormat.getIntegerInstance(locale).format(n);
  }

  private static String limit(long limit, Locale locale, ResourceBundle messages) {
    return limit == Quota.UNLIMITED ? messages.getString("unlimited") : number(limit, locale);
  }

  private String dateTime(Instant at, Locale locale) {
    return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT).withLocale(locale)
        .withZone(zone).format(at) + " " + zone.getId();
  }

  static String escape(String s, boolean html) {
    if (!html) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static String load(String name) {
    try (InputStream in = NotificationMailRenderer.class.getResourceAsStream(TEMPLATES + name)) {
      if (in == null) {
        throw new IllegalStateException("The mail template " + TEMPLATES + name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the mail template " + name + " failed", e);
    }
  }
}
