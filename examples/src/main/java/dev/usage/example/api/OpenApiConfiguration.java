package dev.usage.example.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description served on {@code /v3/api-docs} (and Swagger UI on {@code /swagger-ui.html}): every
 * endpoint under HTTP Basic, the way API clients call them.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

  /** The name of the security scheme every operation requires. */
  public static final String BASIC = "basic";

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
