package dev.usage.spring.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mail templates of {@code dev/usage/spring/notify/templates/} (each as {@code .txt} and {@code .html}), all
 * loaded when made, so that a missing one fails the channel's creation rather than a delivery; and the texts of
 * the {@code dev/usage/spring/notify/messages} bundle.
 *
 * <p>Templates know two placeholders: {@code ${name}}, a value (or a block rendered beforehand), and
 * {@code #{key}}, a text of the bundle in which {@code ${name}} is replaced in turn. In HTML every value and
 * every text is escaped; blocks are inserted as given. Replacement is one pass, so a value that looks like a
 * placeholder is printed, not expanded. Immutable and thread-safe.
 */
final class MailTemplates {

  static final String BUNDLE = "dev.usage.spring.notify.messages";
  private static final String DIRECTORY = "templates/";
  private static final Pattern PLACEHOLDER = Pattern.compile("([$#])\\{([A-Za-z0-9_.]+)}");
  private static final Pattern VALUE = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)}");

  private final Map<String, String> templates = new HashMap<>();

  /** Loads {@code name.txt} and {@code name.html} of each name. */
  MailTemplates(Collection<String> names) {
    for (String name : names) {
      templates.put(name + ".txt", load(name + ".txt"));
      templates.put(name + ".html", load(name + ".html"));
    }
  }

  /** The bundle in {@code locale}: the base bundle (English) when the locale has none, never the JVM's default. */
  static ResourceBundle messages(Locale locale) {
    return ResourceBundle.getBundle(BUNDLE, locale, MailTemplates.class.getClassLoader(),
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
  }

  /** Renders the template {@code name} ({@code .txt} or {@code .html} by {@code html}). */
  String fill(String name, Map<String, String> values, Map<String, String> blocks, ResourceBundle messages,
      boolean html) {
    String file = name + (html ? ".html" : ".txt");
    String template = templates.get(file);
    if (template == null) {
      throw new IllegalStateException("No mail template " + DIRECTORY + file + " was loaded");
    }
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String key = m.group(2);
      String replacement;
      if (m.group(1).equals("#")) {
        replacement = escape(message(key, values, messages), html);
      } else if (blocks.containsKey(key)) {
        replacement = blocks.get(key);
      } else {
        replacement = escape(value(key, values, file), html);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The text {@code key} of the bundle, with its values put in (unescaped). */
  static String message(String key, Map<String, String> values, ResourceBundle messages) {
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
    try (InputStream in = MailTemplates.class.getResourceAsStream(DIRECTORY + name)) {
      if (in == null) {
        throw new IllegalStateException("The mail template " + DIRECTORY + name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the mail template " + name + " failed", e);
    }
  }
}
