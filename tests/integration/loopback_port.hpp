// A loopback TCP port for tests that need a peer which is not Redis: bound
// below the kernel's ephemeral range (connections from it land at 32768 and
// up), never port 0.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <random>

namespace ticketd::test_support {

// Binds `fd` (an AF_INET stream socket) to 127.0.0.1 on a random free port
// from 20000 to 31999. Returns the port, or 0 when 100 tries found none.
inline int BindLoopbackPort(int fd) {
  std::mt19937 random{std::random_device{}()};
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int candidate = 20000 + static_cast<int>(random() % 12000);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(candidate));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return candidate;
  }
  return 0;
}

}  // namespace ticketd::test_support
