package dev.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.UsageListener;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The dispatcher's registration wrapper hands every kind of notification on to the listener. */
class ListenerDispatcherTest {

  @Test
  void theRegistrationForwardsEveryListenerMethod() throws Exception {
    Class<?> registered = Class.forName(ListenerDispatcher.class.getName() + "$Registered");
    for (Method m : UsageListener.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      assertThat(Arrays.stream(registered.getDeclaredMethods()).anyMatch(d -> d.getName().equals(m.getName())
          && Arrays.equals(d.getParameterTypes(), m.getParameterTypes())))
          .as("ListenerDispatcher.Registered forwards %s", m.getName()).isTrue();
    }
  }
}
