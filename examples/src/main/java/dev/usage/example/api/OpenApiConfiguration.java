package dev.usage.example.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description served on {@code /v3/api-docs} (and Swagger UI on {@code /swagger-ui.html}): every
 * endpoint under HTTP Basic, the way API clients call them, with the RFC 9457 problems it may answer: 401
 * everywhere, 400 where it takes input, 403 where it needs the ADMIN role (or names another user), 429
 * where a quota guards it.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

  /** The name of the security scheme every operation requires. */
  public static final String BASIC = "basic";

  /** The problem answers each operation may give, added to what the controllers declare. */
  @Bean
  OpenApiCustomizer problemResponses() {
    return api -> {
      api.getComponents().addSchemas("Problem", new ObjectSchema()
          .addProperty("type", new StringSchema()).addProperty("title", new StringSchema())
          .addProperty("status", new IntegerSchema()).addProperty("detail", new StringSchema())
          .addProperty("instance", new StringSchema())
          .addProperty("errors", new ArraySchema().items(new ObjectSchema()
              .addProperty("field", new StringSchema()).addProperty("message", new StringSchema()))));
      api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
        boolean input = operation.getRequestBody() != null
            || (operation.getParameters() != null && !operation.getParameters().isEmpty());
        problem(operation, "401", "Not signed in, or the credentials were not accepted");
        if (input) {
          problem(operation, "400", "Invalid input; errors names each field or parameter");
        }
        if (path.startsWith("/api/admin/") || path.equals("/api/quota/update") || path.equals("/api/quota/reset")
            || path.equals("/api/quota/status") || path.equals("/api/quota/history")
            || path.equals("/api/usage/live")) {
          problem(operation, "403", "Needs the ADMIN role");
        }
        if (path.equals("/api/correct") || path.equals("/api/usage/track")) {
          problem(operation, "429", "A quota is spent; Retry-After and RateLimit say until when (no Retry-After"
              + " when the request asks for more than a whole limit: retryable false)");
        }
      }));
    };
  }

  private static void problem(Operation operation, String status, String description) {
    if (operation.getResponses() == null) {
      operation.setResponses(new ApiResponses());
    }
    operation.getResponses().putIfAbsent(status, new ApiResponse().description(description).content(new Content()
        .addMediaType("application/problem+json",
            new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem")))));
  }

  @Bean
  OpenAPI usageApi() {
    return new OpenAPI()
        .info(new Info().title("Text correction: usage and quota API").version("0.1.0")
            .description("The example's text-correction service, its users' usage and quotas, and the admin views"
                + " over the usage engine. Errors are RFC 9457 problems.")
            .license(new License().name("Apache-2.0")))
        .components(new Components().addSecuritySchemes(BASIC,
            new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")))
        .addSecurityItem(new SecurityRequirement().addList(BASIC));
  }
}
