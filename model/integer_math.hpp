// Integer helpers every model uses: one definition, so the mapper and the simulator round alike.
#pragma once

#include <cstdint>
#include <type_traits>

namespace cosim {

// ceil(a / b) for a >= 0, b > 0, in the common type of the two.
template <class A, class B>
constexpr auto ceil_div(A a, B b) {
  static_assert(std::is_integral_v<A> && std::is_integral_v<B>, "ceil_div is for integers");
  using T = std::common_type_t<A, B>;
  return T((T(a) + T(b) - 1) / T(b));
}

}  // namespace cosim
