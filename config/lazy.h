// Out-of-line members for the parts of a child spec that most children never set.
//
// A ChildSpec is kept for every configured child (10,000 of them are kept in one vector),
// so each inline byte of a rarely used member costs 10,000 bytes: a health check held in
// a std::optional was 176 bytes in every spec, set or not. These hold a pointer instead
// (8 bytes) and allocate only when a value is set, with the value semantics of what they
// replace (deep copy, ==).
//   Lazy<T>: an optional T (the std::optional interface the config code uses).
//   Cold<T>: a T whose null pointer stands for T{} (reads of an unset one see T{}).
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace arbor::config {

template <class T>
class Lazy {
 public:
  Lazy() = default;
  Lazy(std::nullopt_t) {}  // NOLINT: as std::optional
  template <class U = T>
  requires(std::constructible_from<T, U&&> && !std::same_as<std::remove_cvref_t<U>, Lazy> &&
           !std::same_as<std::remove_cvref_t<U>, std::nullopt_t>) Lazy(U&& value)
      : p_(std::make_unique<T>(std::forward<U>(value))) {}  // NOLINT: as std::optional
  Lazy(const Lazy& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Lazy(Lazy&&) noexcept = default;
  Lazy& operator=(const Lazy& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Lazy& operator=(Lazy&&) noexcept = default;
  Lazy& operator=(std::nullopt_t) {
    p_.reset();
    return *this;
  }
  ~Lazy() = default;

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return p_ != nullptr; }
  const T& operator*() const { return *p_; }
  T& operator*() { return *p_; }
  const T* operator->() const { return p_.get(); }
  T* operator->() { return p_.get(); }
  const T& value() const {
    if (!p_) throw std::bad_optional_access();
    return *p_;
  }
  template <class U>
  T value_or(U&& other) const {
    return p_ ? *p_ : static_cast<T>(std::forward<U>(other));
  }
  template <class... Args>
  T& emplace(Args&&... args) {
    p_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *p_;
  }
  void reset() { p_.reset(); }
  // As a std::optional, for code that keeps a copy of its own (a spawn plan).
  std::optional<T> to_optional() const { return p_ ? std::optional<T>(*p_) : std::nullopt; }

  bool operator==(const Lazy& o) const { return p_ && o.p_ ? *p_ == *o.p_ : !p_ && !o.p_; }
  bool operator==(std::nullopt_t) const { return !p_; }

 private:
  std::unique_ptr<T> p_;
};

template <class T>
class Cold {
 public:
  Cold() = default;
  template <class U = T>
  requires(std::constructible_from<T, U&&> && !std::same_as<std::remove_cvref_t<U>, Cold>) Cold(U&& value)
      : p_(std::make_unique<T>(std::forward<U>(value))) {}  // NOLINT: a T
  Cold(const Cold& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Cold(Cold&&) noexcept = default;
  Cold& operator=(const Cold& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Cold& operator=(Cold&&) noexcept = default;
  ~Cold() = default;

  const T& operator*() const { return p_ ? *p_ : unset(); }
  const T* operator->() const { return &**this; }
  // Writing through a non-const Cold gives it a value of its own first.
  T& operator*() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  T* operator->() { return &**this; }

  bool operator==(const Cold& o) const { return **this == *o; }

 private:
  static const T& unset() {
    static const T value{};
    return value;
  }
  std::unique_ptr<T> p_;
};

}  // namespace arbor::config
