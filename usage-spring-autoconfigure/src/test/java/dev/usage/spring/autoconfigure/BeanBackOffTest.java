package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.type.classreading.CachingMetadataReaderFactory;

/** Every bean of the module backs off for the host's own, and every auto-configuration is registered. */
class BeanBackOffTest {

  private static List<Class<?>> moduleClasses() throws IOException, ClassNotFoundException {
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
    CachingMetadataReaderFactory readers = new CachingMetadataReaderFactory(resolver);
    List<Class<?>> out = new ArrayList<>();
    for (Resource r : resolver.getResources("classpath*:dev/usage/spring/**/*.class")) {
      if (!r.getURL().toString().contains("/test-classes/")) {
        out.add(Class.forName(readers.getMetadataReader(r).getClassMetadata().getClassName()));
      }
    }
    return out;
  }

  @Test
  void everyBeanMethodIsConditionalOnMissingBean() throws Exception {
    List<String> beanMethods = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Class<?> c : moduleClasses()) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.isAnnotationPresent(Bean.class)) {
          beanMethods.add(c.getSimpleName() + "." + m.getName());
          // a check of the environment run before any bean is made is not a bean a host replaces
          boolean check = BeanFactoryPostProcessor.class.isAssignableFrom(m.getReturnType());
          if (!check && !m.isAnnotationPresent(ConditionalOnMissingBean.class)) {
            missing.add(c.getName() + "." + m.getName());
          }
        }
      }
    }
    assertThat(beanMethods).hasSizeGreaterThanOrEqualTo(12)
        .contains("UsageAutoConfiguration.usageEngine", "UsageJdbcStoreAutoConfiguration.usageStorage");
    assertThat(missing).as("@Bean methods without @ConditionalOnMissingBean").isEmpty();
  }

  @Test
  void everyAutoConfigurationIsListedInTheImportsFile() throws Exception {
    String imports;
    try (var in = getClass().getResourceAsStream(
        "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
      imports = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> listed = imports.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    List<String> declared = moduleClasses().stream().filter(c -> c.isAnnotationPresent(AutoConfiguration.class))
        .map(Class::getName).toList();
    assertThat(listed).containsExactlyInAnyOrderElementsOf(declared);
  }
}
