// Command hubtap is a terminal debugger for MQTT 5 streams, built first for
// the flespi telematics hub. main.go only wires the process to the command
// line, which lives in internal/cli.
package main

import (
	"os"

	"hubtap/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
