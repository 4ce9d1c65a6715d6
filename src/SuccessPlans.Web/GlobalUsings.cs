global using Microsoft.EntityFrameworkCore;
global using SuccessPlans.Data;
global using SuccessPlans.Tenancy;
global using SuccessPlans.Web.Hosting;
