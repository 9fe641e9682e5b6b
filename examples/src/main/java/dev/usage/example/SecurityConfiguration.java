package dev.usage.example;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may call what. Two ways in: API clients send HTTP Basic credentials with every request (stateless,
 * no session, no CSRF token: every endpoint that changes something takes a JSON body, which a cross-site
 * form cannot send); the dashboard signs in with a form and keeps a session, protected against CSRF by the
 * token in the {@code XSRF-TOKEN} cookie that its scripts echo in {@code X-XSRF-TOKEN}. Admin endpoints
 * need the ADMIN role, and so does the actuator (its {@code usage} endpoint shows any user's quotas), but
 * for {@code /actuator/health}. A refused API call gets an RFC 9457 problem (401 or 403), never a redirect to
 * the sign-in page.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

  private static final String BAD_CREDENTIALS = "Sign in: these credentials were not accepted.";
  private static final String SIGN_IN = "Sign in first: send HTTP Basic credentials, or sign in on /login.";
  private static final String ADMIN_ONLY = "This needs the ADMIN role.";
  private static final AuthenticationTrustResolver TRUST = new AuthenticationTrustResolverImpl();
  private static final RequestMatcher API =
      request -> request.getRequestURI().startsWith(request.getContextPath() + "/api/");

  @Bean
  PasswordEncoder passwordEncoder() {
    return PasswordEncoderFactories.createDelegatingPasswordEncoder();
  }

  @Bean
  UserDetailsService demoUsers(DemoUsers users, PasswordEncoder encoder) {
    InMemoryUserDetailsManager manager = new InMemoryUserDetailsManager();
    users.users().forEach((name, u) -> manager.createUser(User.withUsername(name)
        .password(encoder.encode(u.password())).roles(u.roles().toArray(String[]::new)).build()));
    return manager;
  }

  /** API clients: HTTP Basic on every request, no session. */
  @Bean
  @Order(1)
  SecurityFilterChain apiClients(HttpSecurity http, JsonMapper json) throws Exception {
    http.securityMatcher(request -> request.getHeader(HttpHeaders.AUTHORIZATION) != null)
        .authorizeHttpRequests(SecurityConfiguration::rules)
        .httpBasic(basic -> basic.authenticationEntryPoint((req, res, e) -> problem(json, req, res,
            HttpStatus.UNAUTHORIZED, BAD_CREDENTIALS)))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable())
        .exceptionHandling(ex -> ex
            .authenticationEntryPoint((req, res, e) -> problem(json, req, res, HttpStatus.UNAUTHORIZED,
                BAD_CREDENTIALS))
            .accessDeniedHandler((req, res, e) -> problem(json, req, res, HttpStatus.FORBIDDEN,
                ADMIN_ONLY)));
    return http.build();
  }

  /** The dashboard: a form sign-in and a session; API calls without one get a 401 problem. */
  @Bean
  @Order(2)
  SecurityFilterChain browsers(HttpSecurity http, JsonMapper json) throws Exception {
    http.authorizeHttpRequests(SecurityConfiguration::rules)
        .formLogin(form -> form.defaultSuccessUrl("/", false).permitAll())
        .logout(Customizer.withDefaults())
        .csrf(csrf -> csrf.spa())
        .exceptionHandling(ex -> ex
            .defaultAuthenticationEntryPointFor((req, res, e) -> problem(json, req, res, HttpStatus.UNAUTHORIZED,
                SIGN_IN), API)
            .defaultAccessDeniedHandlerFor((req, res, e) -> refused(json, req, res, e), API)
            // pages: the container's 403 error page, not a problem body
            .defaultAccessDeniedHandlerFor(new AccessDeniedHandlerImpl(), AnyRequestMatcher.INSTANCE));
    return http.build();
  }

  private static void rules(
      AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry auth) {
    auth.requestMatchers("/login", "/error", "/webjars/**", "/assets/**", "/favicon.ico", "/v3/api-docs/**",
            "/swagger-ui/**", "/swagger-ui.html", "/actuator/health").permitAll()
        // the library's actuator endpoint shows any user's quotas and the system's totals
        .requestMatchers("/actuator/**").hasRole("ADMIN")
        .requestMatchers("/api/admin/**").hasRole("ADMIN")
        .requestMatchers(HttpMethod.PUT, "/api/quota/update").hasRole("ADMIN")
        .requestMatchers(HttpMethod.POST, "/api/quota/reset").hasRole("ADMIN")
        .requestMatchers("/admin.html").hasRole("ADMIN")
        .anyRequest().authenticated();
  }

  /**
   * A refused browser-chain API call: without a session the CSRF check refuses a POST before anyone is
   * signed in (it runs before even the anonymous user is set), which is a 401 (sign in first); a signed-in
   * call without the token is told what to send.
   */
  private static void refused(JsonMapper json, HttpServletRequest request, HttpServletResponse response,
      AccessDeniedException e) throws IOException {
    if (!(e instanceof CsrfException)) {
      problem(json, request, response, HttpStatus.FORBIDDEN, ADMIN_ONLY);
    } else if (!TRUST.isAuthenticated(SecurityContextHolder.getContext().getAuthentication())) {
      problem(json, request, response, HttpStatus.UNAUTHORIZED,
          SIGN_IN);
    } else {
      problem(json, request, response, HttpStatus.FORBIDDEN,
          "The CSRF token is missing or wrong: send the XSRF-TOKEN cookie's value in the X-XSRF-TOKEN header.");
    }
  }

  private static void problem(JsonMapper json, HttpServletRequest request, HttpServletResponse response,
      HttpStatus status, String detail) throws IOException {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setInstance(URI.create(request.getRequestURI()));
    response.setStatus(status.value());
    // the Basic challenge for API clients only: a browser (which says how it fetches) would open its own
    // sign-in dialog over the dashboard and then keep sending those credentials on its own
    if (status == HttpStatus.UNAUTHORIZED && request.getHeader("Sec-Fetch-Mode") == null) {
      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"text-correction\"");
    }
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), problem);
  }
}
