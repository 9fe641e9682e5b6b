package dev.usage.example.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MvcResult;

/** {@code GET /api/usage/live}: a user's stream of their quota changes; every user's for admins only. */
class LiveUsageApiTest extends ApiTestSupport {

  @Autowired
  LiveUsageFeed feed;

  @Test
  void streamsTheUsersOwnQuotaChangesAsServerSentEvents() throws Exception {
    String user = newUser();
    String other = newUser();
    MvcResult stream = mvc.perform(as(user, get("/api/usage/live"))).andReturn();
    try {
      assertThat(stream.getResponse().getStatus()).isEqualTo(200);
      assertThat(stream.getResponse().getContentType()).startsWith("text/event-stream");
      assertThat(stream.getRequest().isAsyncStarted()).isTrue();

      corrected(other, "someone else's text");
      corrected(user, "teh libary");

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(content(stream))
          .contains("event:quota").contains("\"userId\":\"" + user + "\""));
      assertThat(content(stream)).doesNotContain(other);
    } finally {
      stream.getRequest().getAsyncContext().complete();
    }
  }

  @Test
  void refusesEveryUsersStreamToANonAdmin() throws Exception {
    int before = feed.subscribers();

    MvcResult r = mvc.perform(as(newUser(), get("/api/usage/live?all=true"))).andReturn();

    assertThat(r.getResponse().getStatus()).isEqualTo(403);
    assertThat(r.getResponse().getContentType()).isEqualTo("application/problem+json");
    assertThat(feed.subscribers()).isEqualTo(before);
  }

  @Test
  void givesAnAdminEveryUsersStream() throws Exception {
    String user = newUser();
    MvcResult stream = mvc.perform(asAdmin(get("/api/usage/live?all=true"))).andReturn();
    try {
      assertThat(stream.getResponse().getContentType()).startsWith("text/event-stream");

      corrected(user, "teh libary");

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(content(stream))
          .contains("\"userId\":\"" + user + "\""));
    } finally {
      stream.getRequest().getAsyncContext().complete();
    }
  }


  private static String content(MvcResult stream) throws Exception {
    return stream.getResponse().getContentAsString(StandardCharsets.UTF_8);
  }
}
