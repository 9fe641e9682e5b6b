package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code /v3/api-docs}: every endpoint, with its method, under HTTP Basic. */
class OpenApiTest extends ApiTestSupport {

  @Test
  void describesEveryEndpointOfTheApi() throws Exception {
    JsonNode docs = json(mvc.perform(get("/v3/api-docs")).andReturn());

    Map<String, List<String>> expected = Map.ofEntries(
        Map.entry("/api/correct", List.of("post")),
        Map.entry("/api/usage/current", List.of("get")),
        Map.entry("/api/usage/history", List.of("get")),
        Map.entry("/api/usage/analytics", List.of("get")),
        Map.entry("/api/usage/track", List.of("post")),
        Map.entry("/api/usage/export", List.of("get")),
        Map.entry("/api/usage/live", List.of("get")),
        Map.entry("/api/quota/status", List.of("get")),
        Map.entry("/api/quota/update", List.of("put")),
        Map.entry("/api/quota/reset", List.of("post")),
        Map.entry("/api/quota/history", List.of("get")),
        Map.entry("/api/admin/usage/system", List.of("get")),
        Map.entry("/api/admin/usage/users", List.of("get")),
        Map.entry("/api/admin/quota/user/{id}", List.of("put")),
        Map.entry("/api/admin/quota/bulk", List.of("post")),
        Map.entry("/api/admin/analytics", List.of("get")));
    expected.forEach((path, methods) -> {
      assertThat(docs.get("paths").has(path)).as(path).isTrue();
      for (String method : methods) {
        JsonNode operation = docs.get("paths").get(path).get(method);
        assertThat(operation).as(method + " " + path).isNotNull();
        assertThat(operation.get("summary").asString()).as("summary of " + method + " " + path).isNotBlank();
        assertThat(operation.get("tags")).as("tags of " + method + " " + path).isNotEmpty();
      }
    });
  }

  @Test
  void namesTheApiAndItsHttpBasicScheme() throws Exception {
    JsonNode docs = json(mvc.perform(get("/v3/api-docs")).andReturn());

    assertThat(docs.get("info").get("title").asString()).isNotBlank();
    assertThat(docs.get("info").get("version").asString()).isNotBlank();
    JsonNode scheme = docs.get("components").get("securitySchemes").get(OpenApiConfiguration.BASIC);
    assertThat(scheme.get("type").asString()).isEqualTo("http");
    assertThat(scheme.get("scheme").asString()).isEqualTo("basic");
    assertThat(docs.get("security").get(0).has(OpenApiConfiguration.BASIC)).isTrue();
    assertThat(docs.get("tags").valueStream().map(t -> t.get("name").asString()))
        .contains("usage", "quota", "admin", "correction");
  }
}
