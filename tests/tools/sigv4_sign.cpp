// Prints the headers our SigV4 signer adds to a request, for comparison with botocore.
// usage: sigv4_sign METHOD URL AMZ_DATE REGION SERVICE ACCESS_KEY SECRET [TOKEN] [Header:Value ...] < body
#include <iostream>
#include <iterator>

#include "pangeo/cloud.hpp"

int main(int argc, char** argv) {
  if (argc < 8) {
    std::cerr << "usage: sigv4_sign METHOD URL AMZ_DATE REGION SERVICE ACCESS_KEY SECRET [TOKEN] [H:V ...]\n";
    return 2;
  }
  pangeo::HttpRequest req;
  req.method = argv[1];
  req.url = argv[2];
  pangeo::Credentials c;
  c.access_key = argv[6];
  c.secret_key = argv[7];
  int i = 8;
  if (argc > 8 && std::string(argv[8]).find(':') == std::string::npos) c.session_token = argv[i++];
  for (; i < argc; ++i) {
    std::string h = argv[i];
    auto colon = h.find(':');
    req.headers.emplace_back(h.substr(0, colon), h.substr(colon + 1));
  }
  std::string body((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  pangeo::Bytes b(body.begin(), body.end());
  pangeo::sigv4_sign(req, c, argv[4], argv[5], argv[3], pangeo::hex(pangeo::sha256(b.data(), b.size())));
  for (const auto& [k, v] : req.headers) std::cout << k << ": " << v << "\n";
}
