"""provisioning: station enrolment (keys, certificates), broker configuration, udev rules, image recipe."""
