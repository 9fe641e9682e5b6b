package dev.usage.example.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/usage/live}: server-sent events of the signed-in user's quota changes; an admin may ask
 * for every user's with {@code ?all=true}.
 */
@RestController
@Tag(name = "usage")
public class LiveUsageController {

  private final LiveUsageFeed feed;

  public LiveUsageController(LiveUsageFeed feed) {
    this.feed = feed;
  }

  @Operation(summary = "Server-sent events of quota changes (the caller's; every user's with all=true, admin)")
  @GetMapping(path = "/api/usage/live", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public SseEmitter live(Authentication user, @RequestParam(defaultValue = "false") boolean all) {
    if (!all) {
      return feed.subscribe(user.getName());
    }
    if (!Caller.of(user).admin()) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN, "every user's stream needs the ADMIN role");
    }
    return feed.subscribe("");
  }
}
