package webhook

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// blockedPrefixes are the address ranges a delivery must not reach unless
// the provider allows it: they lead into the provider's own network or
// machine (server-side request forgery).
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64, may map to private IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("2002::/16"),      // 6to4, may wrap private IPv4
}

// Blocked reports whether a delivery to ip is refused unless the provider
// allows private targets: loopback, private (RFC 1918, fc00::/7),
// link-local (including the cloud metadata address 169.254.169.254),
// unspecified, multicast, broadcast and other special-purpose ranges.
// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
func Blocked(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ErrBlockedAddress is what a delivery to a Blocked address fails with.
var ErrBlockedAddress = fmt.Errorf("webhook: the address is loopback, private or link-local, and this server does not deliver there")

// DialControl is a net.Dialer Control that refuses connections to Blocked
// addresses. It runs after the name is resolved, for the very address the
// connection goes to, so a host name that resolves differently at delivery
// time than when the endpoint was registered (DNS rebinding) is caught.
func DialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		host, _, serr := net.SplitHostPort(address)
		if serr != nil {
			return fmt.Errorf("webhook: dialing %q: %w", address, err)
		}
		a, perr := netip.ParseAddr(host)
		if perr != nil {
			return fmt.Errorf("webhook: dialing %q: %w", address, perr)
		}
		ap = netip.AddrPortFrom(a, 0)
	}
	if Blocked(ap.Addr()) {
		return fmt.Errorf("%w (%s)", ErrBlockedAddress, ap.Addr())
	}
	return nil
}
