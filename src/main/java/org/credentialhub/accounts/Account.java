package org.credentialhub.accounts;

/**
 * A signed-in person. {@code districtCode} is set for district roles, {@code feedCode} for vendors.
 */
public record Account(long id, String username, Role role, String districtCode, String feedCode) {

    public boolean isOps() {
        return role == Role.OPS;
    }

    /** Whether this account may see records of the given district (null: records no district claims). */
    public boolean canSeeDistrict(String district) {
        return role == Role.OPS || (role.isDistrict() && districtCode.equals(district));
    }
}
