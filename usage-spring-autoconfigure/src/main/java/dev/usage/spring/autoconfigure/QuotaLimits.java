package dev.usage.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Limits of one period kind (month, week or day) by quota type, as bound from {@code usage.*} properties
 * such as {@code usage.quotas.defaults.monthly.characters}. A limit of {@code -1} means unlimited (counted,
 * never refused); an unset limit leaves the type to the parent tier or the defaults.
 */
public class QuotaLimits {

  /** Characters allowed per period; -1 for unlimited. */
  private Long characters;

  /** Requests allowed per period; -1 for unlimited. */
  private Long requests;

  /** AI tokens (input and output together) allowed per period; -1 for unlimited. */
  private Long tokens;

  /** Limits of custom quota types by type name ([a-z][a-z0-9_.-]*); -1 for unlimited. */
  private Map<String, Long> custom = new LinkedHashMap<>();

  public Long getCharacters() {
    return characters;
  }

  public void setCharacters(Long characters) {
    this.characters = characters;
  }

  public Long getRequests() {
    return requests;
  }

  public void setRequests(Long requests) {
    this.requests = requests;
  }

  public Long getTokens() {
    return tokens;
  }

  public void setTokens(Long tokens) {
    this.tokens = tokens;
  }

  public Map<String, Long> getCustom() {
    return custom;
  }

  public void setCustom(Map<String, Long> custom) {
    this.custom = custom;
  }

  /** The set limits by quota type name, built-in types first; property names are the map's keys. */
  Map<String, Long> byTypeName() {
    Map<String, Long> out = new LinkedHashMap<>();
    if (characters != null) {
      out.put("characters", characters);
    }
    if (requests != null) {
      out.put("requests", requests);
    }
    if (tokens != null) {
      out.put("tokens", tokens);
    }
    custom.forEach((k, v) -> out.put("custom." + k, v));
    return out;
  }
}
